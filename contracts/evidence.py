"""Checks for uploaded evidence (wage statements, receipts, photos): by content, not by name.

The limits here are the only ones: forms, the API, services and help texts all read them.
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import ApplicationError

SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
# At most this many files with one filing (case, plan request), by form, API or service.
MAX_EVIDENCE_FILES = 5
# The ``accept`` attribute of file inputs.
EVIDENCE_ACCEPT = ",".join(content_type for _magic, content_type, _ext in SIGNATURES)


def max_evidence_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", 5 * 1024 * 1024))


def evidence_help_text(*, files: int = MAX_EVIDENCE_FILES) -> str:
    """ "Up to 5 files; PDF, JPEG or PNG, each up to 5 MB." from the limits in force."""
    megabytes = max_evidence_bytes() // (1024 * 1024)
    if files == 1:
        return _("PDF, JPEG or PNG, up to %(mb)s MB.") % {"mb": megabytes}
    return ngettext(
        "Up to %(n)s file; PDF, JPEG or PNG, each up to %(mb)s MB.",
        "Up to %(n)s files; PDF, JPEG or PNG, each up to %(mb)s MB.",
        files,
    ) % {"n": files, "mb": megabytes}


def evidence_check(upload: UploadedFile, *, field: str | None = None) -> tuple[str, str]:
    """(content type, extension) of an acceptable PDF/JPEG/PNG; a clear error otherwise,
    naming ``field`` (the form input the file came from)."""
    limit = max_evidence_bytes()
    if upload.size is not None and upload.size > limit:
        raise ApplicationError(
            code="file_too_large",
            message=_("The file is larger than %(mb)s MB. Please upload a smaller scan or photo.")
            % {"mb": limit // (1024 * 1024)},
            field=field,
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    raise ApplicationError(
        code="file_type_not_allowed",
        message=_("Only PDF, JPEG and PNG files are accepted; this file is none of those (whatever its name says)."),
        field=field,
    )
