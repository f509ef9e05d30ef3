"""Serving a message's file to whoever may see its request (the pages and the API alike)."""

from django.http import FileResponse, Http404

from .models import Attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    """The file as a download with its original name and own type, never content-sniffed nor
    cached. The caller has checked that the user may see the request (selectors)."""
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, ValueError) as exc:  # the row outlived its file
        raise Http404 from exc
    response = FileResponse(handle, content_type=attachment.content_type, as_attachment=True,
                            filename=attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
