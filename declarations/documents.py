"""Serving an attached document: one response for the page and the API, never a media URL."""

from django.http import FileResponse, Http404

from .models import Document

# Types a browser may show in place; anything else is downloaded.
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})


def document_response(document: Document) -> FileResponse:
    """The file with its original name, shown inline (PDF, images), never content-sniffed.

    The caller has checked that the user may see the declaration (selectors)."""
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:  # the row outlived its file
        raise Http404 from exc
    inline = document.content_type in INLINE_TYPES
    response = FileResponse(handle, as_attachment=not inline, filename=document.original_name,
                            content_type=document.content_type if inline
                            else "application/octet-stream")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
