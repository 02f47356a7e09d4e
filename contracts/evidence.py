"""Checks for uploaded evidence (wage statements, receipts, photos): by content, not by name."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from core.errors import ApplicationError

SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


def max_evidence_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_BYTES", 5 * 1024 * 1024))


def evidence_check(upload: UploadedFile) -> tuple[str, str]:
    """(content type, extension) of an acceptable PDF/JPEG/PNG; a clear error otherwise."""
    limit = max_evidence_bytes()
    if upload.size is not None and upload.size > limit:
        raise ApplicationError(
            code="file_too_large",
            message=_("The file is larger than %(mb)s MB. Please upload a smaller scan or photo.")
            % {"mb": limit // (1024 * 1024)},
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
    )
