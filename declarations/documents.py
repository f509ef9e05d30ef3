"""Attached documents: the upload checks (type sniffed from the content, size), attaching,
and serving a file to whoever may see its declaration (never from a public media URL)."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from customs_core.audit.choices import AuditAction
from customs_core.audit.services import record_officer_read
from customs_core.exceptions import StateConflict
from customs_core.models import User

from .choices import CO_FORM_AGREEMENT, DeclarationErrorCode, DocumentType
from .choices import DeclarationState as S
from .models import Declaration, Document
from .validation import Errors

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
ALLOWED_CONTENT_TYPES = {
    "application/pdf": b"%PDF",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG",
}
# A declarant may attach documents in these states (documents asked for during the check).
DOCUMENT_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.AMEND_REQUESTED, S.YELLOW, S.DOC_CHECK})


def file_head(upload: UploadedFile) -> bytes:
    """The first bytes, which say what the file is whatever its name or declared type."""
    head = upload.read(8)
    upload.seek(0)
    return head


def sniffed_content_type(upload: UploadedFile) -> str | None:
    """The allowed type the file's first bytes say it is (PDF, JPEG, PNG), or None."""
    head = file_head(upload)
    return next((kind for kind, magic in ALLOWED_CONTENT_TYPES.items()
                 if head.startswith(magic)), None)


@transaction.atomic
def document_attach(
    *,
    declaration: Declaration,
    user: User,
    doc_type: str,
    file: UploadedFile,
    co_form: str = "",
    reference: str = "",
) -> Document:
    """Attach a file (PDF, JPEG or PNG, at most 10 MB) to a draft, an amendable declaration,
    or one in the document check (the officer may ask for documents)."""
    if declaration.state not in DOCUMENT_STATES:
        raise StateConflict(
            _("Documents can no longer be attached in this state."),
            code=DeclarationErrorCode.WRONG_STATE,
            current_state=declaration.state,
        )
    errors = Errors()
    if doc_type not in DocumentType.values:
        errors.add("doc_type", _("Unknown document type."))
    if doc_type == DocumentType.CERTIFICATE_OF_ORIGIN and co_form not in CO_FORM_AGREEMENT:
        errors.add("co_form", _("Give the form of the certificate of origin (E or D)."))
    if doc_type != DocumentType.CERTIFICATE_OF_ORIGIN:
        co_form = ""
    if file.size > MAX_DOCUMENT_BYTES:
        errors.add("file", _("A document is at most 10 MB."))
    magic = ALLOWED_CONTENT_TYPES.get(file.content_type or "")
    if magic is None or not file_head(file).startswith(magic):
        errors.add("file", _("Upload a PDF, JPEG or PNG file."))
    errors.raise_if_any()
    return Document.objects.create(
        declaration=declaration,
        doc_type=doc_type,
        co_form=co_form,
        reference=reference[:80],
        file=file,
        original_name=(file.name or "document")[:255],
        content_type=file.content_type,
        size=file.size,
        uploaded_by=user,
    )



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


def document_served(request, document: Document) -> FileResponse:
    """document_response(), the page's and the API's alike, with an officer's read recorded in
    the access audit (an enterprise reading its own document is not recorded)."""
    response = document_response(document)
    record_officer_read(request, AuditAction.DOCUMENT_VIEWED, document.declaration,
                        details={"document": document.pk, "type": document.doc_type,
                                 "name": document.original_name})
    return response
