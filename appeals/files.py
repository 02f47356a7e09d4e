"""Evidence files as they are served: never sniffed, each opening audited.

Staff see a verified PDF/JPEG/PNG inline in a sandbox (no scripts, no same-origin access);
customers and anything unverified get a download.
"""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse
from django.utils.translation import gettext as _

from accounts.models import User
from core.errors import NotFoundError

from .codes import AppealsError
from .models import Evidence
from .services import evidence_view_record

# Served inline (staff viewer) only when the stored content was verified as one of these.
INLINE_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


def evidence_file_response(*, actor: User, evidence: Evidence, inline: bool) -> FileResponse:
    """The stored file, never sniffed by the browser; each viewing is audited.

    Inline display is only for content verified at upload as PDF/JPEG/PNG; anything else is
    a download of opaque bytes.
    """
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise NotFoundError(code=AppealsError.EVIDENCE_NOT_FOUND, message=_("File not found.")) from exc
    extension = INLINE_TYPES.get(evidence.content_type)
    show_inline = inline and extension is not None
    try:
        evidence_view_record(actor=actor, evidence=evidence, disposition="inline" if show_inline else "attachment")
    except Exception:
        handle.close()
        raise
    stem = Path(evidence.original_name).stem[:80] or f"evidence-{evidence.pk}"
    response = FileResponse(
        handle,
        as_attachment=not show_inline,
        filename=f"{stem}.{extension or 'bin'}",
        content_type=evidence.content_type if extension else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Inline or not, the browser treats the file as a sandboxed document of its own origin.
    response["Content-Security-Policy"] = "sandbox"
    return response
