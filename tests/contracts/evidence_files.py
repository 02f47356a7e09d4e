"""Real minimal evidence files, made in the test: a one-page PDF, a tiny JPEG and PNG."""

from __future__ import annotations

import io

from PIL import Image
from pypdf import PdfWriter


def minimal_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _image(kind: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def minimal_jpeg() -> bytes:
    return _image("JPEG")


def minimal_png() -> bytes:
    return _image("PNG")
