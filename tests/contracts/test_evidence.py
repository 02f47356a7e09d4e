"""contracts.evidence: a file is accepted only when a real parser opens it as what it claims."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts.evidence import evidence_check
from core.errors import ApplicationError
from tests.contracts.evidence_files import minimal_jpeg, minimal_pdf, minimal_png


def upload(content: bytes, name: str = "file.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (minimal_pdf(), ("application/pdf", "pdf")),
        (minimal_jpeg(), ("image/jpeg", "jpg")),
        (minimal_png(), ("image/png", "png")),
    ],
    ids=["pdf", "jpeg", "png"],
)
def test_real_files_are_accepted_and_left_rewound(content, expected):
    file = upload(content)
    assert evidence_check(file) == expected
    assert file.tell() == 0


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>",
        b"%PDF-1.4\n%evidence\n1 0 obj<<>>endobj\n%%EOF\n",
        b"\x89PNG\r\n\x1a\n<html><script>alert(1)</script></html>",
        b"\xff\xd8\xff\xe0<html><script>alert(1)</script></html>",
        minimal_png()[:40],
        b"\xff\xd8\xff" + minimal_png()[3:],
    ],
    ids=[
        "pdf-header-html",
        "pdf-without-pages",
        "png-header-html",
        "jpeg-header-html",
        "truncated-png",
        "jpeg-magic-png",
    ],
)
def test_a_file_that_claims_a_type_but_does_not_parse_is_unreadable(content):
    with pytest.raises(ApplicationError) as excinfo:
        evidence_check(upload(content), field="evidence")
    assert excinfo.value.code == "file_unreadable" and excinfo.value.field == "evidence"


def test_unknown_content_keeps_its_code():
    with pytest.raises(ApplicationError) as excinfo:
        evidence_check(upload(b"<!doctype html><html></html>"))
    assert excinfo.value.code == "file_type_not_allowed"
