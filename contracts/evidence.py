"""Checks for uploaded evidence (wage statements, receipts, photos): by content, not by name.

The limits here are the only ones: forms, the API, services and help texts all read them.
"""

from __future__ import annotations

import warnings
from enum import StrEnum
from struct import error as struct_error

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image
from pypdf import PdfReader
from pypdf.errors import PyPdfError

from core.errors import ApplicationError


class EvidenceError(StrEnum):
    FILE_TOO_LARGE = "file_too_large"
    FILE_TYPE_NOT_ALLOWED = "file_type_not_allowed"
    FILE_UNREADABLE = "file_unreadable"


SIGNATURES: tuple[tuple[bytes, str, str], ...] = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
# At most this many files with one filing (case, plan request), by form, API or service.
MAX_EVIDENCE_FILES = 5
# The ``accept`` attribute of file inputs.
EVIDENCE_ACCEPT = ",".join(content_type for _magic, content_type, _ext in SIGNATURES)
# Largest image (pixels) accepted; larger ones are refused unopened (decompression bombs).
MAX_IMAGE_PIXELS = 60_000_000
# The format Pillow must find in a file that starts like a JPEG or PNG.
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


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
            code=EvidenceError.FILE_TOO_LARGE,
            message=_("The file is larger than %(mb)s MB. Please upload a smaller scan or photo.")
            % {"mb": limit // (1024 * 1024)},
            field=field,
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for magic, content_type, extension in SIGNATURES:
        if head.startswith(magic):
            try:
                readable = _parses_as(upload, content_type)
            finally:
                upload.seek(0)
            if not readable:
                raise ApplicationError(
                    code=EvidenceError.FILE_UNREADABLE,
                    message=_(
                        "This file looks like a PDF, JPEG or PNG but cannot be opened as one. "
                        "Please save or scan it again and upload the new file."
                    ),
                    field=field,
                )
            return content_type, extension
    raise ApplicationError(
        code=EvidenceError.FILE_TYPE_NOT_ALLOWED,
        message=_("Only PDF, JPEG and PNG files are accepted; this file is none of those (whatever its name says)."),
        field=field,
    )


def _parses_as(upload: UploadedFile, content_type: str) -> bool:
    """Whether the whole file is what its first bytes claim: a PDF with at least one page that
    pypdf reads, or an image that Pillow opens and verifies in the claimed format."""
    if content_type == "application/pdf":
        try:
            return len(PdfReader(upload, strict=False).pages) > 0
        except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if image.format != PILLOW_FORMATS[content_type] or width * height > MAX_IMAGE_PIXELS:
                    return False
                image.verify()
    except (
        OSError,  # includes UnidentifiedImageError
        SyntaxError,
        ValueError,
        TypeError,
        struct_error,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return False
    return True
