"""Tests of the PDF document renderer (no database)."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from reportlab.pdfbase import pdfmetrics

from notices import pdf as pdfmod
from notices.pdf import FONT_FAMILY, missing_glyphs, register_fonts, render_document

SHANGHAI = ZoneInfo("Asia/Shanghai")
ISSUED = datetime(2025, 3, 5, 14, 30, tzinfo=SHANGHAI)
SAMPLE = "逾期 罚息 违约金 ¥1,234.50"


def _letter(**overrides) -> bytes:
    kwargs = {
        "title": "逾期还款提醒函",
        "paragraphs": [
            "尊敬的张三先生：",
            f"　　您的借款已逾期 45 天，应付未付款项合计 ¥1,234.50，包括本金、{SAMPLE}。",
        ],
        "table": [["项目", "金额"], ["罚息", "¥134.50"], ["违约金", "¥100.00"], ["合计", "¥1,234.50"]],
        "footer": "本函由 Fairdue 平台出具。",
        "reference": "FD-2025-000123",
        "issued_at": ISSUED,
    }
    kwargs.update(overrides)
    return render_document(**kwargs)


def _page_count(data: bytes) -> int:
    match = re.search(rb"/Count (\d+)", data)
    assert match, "no page tree /Count in the PDF"
    return int(match.group(1))


def _pdftotext(data: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) not installed")
    source = tmp_path / "doc.pdf"
    source.write_bytes(data)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode("utf-8")


def test_vendored_font_is_truetype_with_licence():
    assert pdfmod.FONT_FILE.is_file()
    head = pdfmod.FONT_FILE.read_bytes()[:4]
    assert head == b"\x00\x01\x00\x00", "expected TrueType outlines (sfnt 0x00010000), not CFF/OTF"
    assert (pdfmod.FONT_DIR / "OFL.txt").is_file()
    assert (pdfmod.FONT_DIR / "README.md").is_file()


def test_register_fonts_is_idempotent():
    assert register_fonts() == FONT_FAMILY
    assert register_fonts() == FONT_FAMILY
    assert FONT_FAMILY in pdfmetrics.getRegisteredFontNames()
    assert pdfmetrics.getFont(FONT_FAMILY).face.name == b"NotoSansSC-Regular"


def test_font_has_glyphs_for_sample_text():
    register_fonts()
    char_to_glyph = pdfmetrics.getFont(FONT_FAMILY).face.charToGlyph
    for char in SAMPLE + "催收函律师函收据￥，。：；（）《》":
        assert ord(char) in char_to_glyph, f"no glyph for {char!r}"
    assert missing_glyphs(SAMPLE) == []


def test_missing_glyphs_reports_uncovered_characters():
    assert missing_glyphs("逾期😀 \n\t😀") == ["😀"]


def test_pdf_header_and_embedded_truetype_font():
    data = _letter()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    assert b"/FontFile2" in data
    assert b"+NotoSansSC-Regular" in data
    # No font that a viewer would have to substitute (Table's default Helvetica used to sneak in).
    assert b"/Helvetica" not in data
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in data  # A4
    assert _page_count(data) == 1


def test_metadata_and_creation_date():
    data = _letter(title="Receipt R-1", metadata={"subject": "Payment receipt", "keywords": "receipt"})
    assert b"/Title (Receipt R-1)" in data
    assert b"/Author (Fairdue)" in data
    assert b"/Subject (Payment receipt)" in data
    assert b"/Keywords (receipt)" in data
    assert b"/CreationDate (D:20250305143000+08'00')" in data


def test_subject_defaults_to_title_and_unknown_metadata_is_rejected():
    assert b"/Subject (Statement)" in _letter(title="Statement")
    with pytest.raises(ValueError, match="unsupported PDF metadata"):
        _letter(metadata={"case": "42"})


def test_identical_input_gives_identical_bytes():
    assert _letter() == _letter()


def test_issue_time_changes_output():
    later = datetime(2025, 3, 6, 9, 0, tzinfo=SHANGHAI)
    assert _letter() != _letter(issued_at=later)


def test_naive_and_utc_issue_times_are_shown_in_local_time():
    utc = datetime(2025, 3, 5, 6, 30, tzinfo=ZoneInfo("UTC"))
    naive = datetime(2025, 3, 5, 14, 30)
    assert _letter(issued_at=utc) == _letter() == _letter(issued_at=naive)


def test_without_issue_time_renders_now():
    data = _letter(issued_at=None)
    assert data.startswith(b"%PDF-")


def test_markup_in_user_text_is_escaped():
    # Would raise a ReportLab paragraph parse error (or render bold) if not escaped.
    data = _letter(
        title="<b>Title</b> & co",
        paragraphs=["<b>不应加粗</b> & A&B < C > D", "<para>x</para> &amp; &nbsp; <br/>"],
        table=[["<i>项目</i>", "金额 & 费用"], ["<font color=red>x</font>", "¥1.00"]],
        footer="<b>footer</b> & more",
        reference="R<1>&2",
    )
    assert data.startswith(b"%PDF-")


def test_escaped_text_is_rendered_literally(tmp_path):
    data = _letter(paragraphs=["<b>不应加粗</b> & A&B"])
    text = _pdftotext(data, tmp_path)
    assert "<b>不应加粗</b> & A&B" in text


def test_chinese_text_round_trips_through_the_embedded_font(tmp_path):
    text = _pdftotext(_letter(), tmp_path)
    for word in (
        "逾期还款提醒函",
        "尊敬的张三先生",
        "逾期",
        "罚息",
        "违约金",
        "¥1,234.50",
        "编号：FD-2025-000123",
        "Fairdue",
        "出具时间：2025年3月5日 14:30",
        "本函由 Fairdue 平台出具。",
    ):
        assert word in text, word


def test_many_distinct_characters_use_several_font_subsets(tmp_path):
    # ReportLab embeds TrueType subsets of at most 256 glyphs each; 600 distinct characters need several.
    chars = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    sample = "".join(chars[::10][:600])
    assert missing_glyphs(sample) == []
    data = _letter(paragraphs=[sample])
    assert data.count(b"/FontFile2") >= 3
    text = _pdftotext(data, tmp_path)
    assert sample[:50] in re.sub(r"\s+", "", text)


def test_long_document_has_page_numbers(tmp_path):
    data = _letter(paragraphs=["　　" + SAMPLE * 20] * 12)
    pages = _page_count(data)
    assert pages >= 2
    text = _pdftotext(data, tmp_path)
    for page in range(1, pages + 1):
        assert f"{page}/{pages}" in text
    # The table header row is kept; the header line repeats on every page.
    assert text.count("编号：FD-2025-000123") == pages


def test_table_rows_must_have_equal_width():
    with pytest.raises(ValueError, match="same"):
        _letter(table=[["a", "b"], ["c"]])


def test_renders_to_an_image(tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) not installed")
    image_module = pytest.importorskip("PIL.Image")
    source = tmp_path / "letter.pdf"
    source.write_bytes(_letter())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(source), str(tmp_path / "page")],
        check=True,
        capture_output=True,
        timeout=60,
    )
    (png,) = tmp_path.glob("page*.png")
    with image_module.open(png) as image:
        grey = image.convert("L")
        width, height = grey.size
        # The title band (top fifth, below the header) has dark pixels: text was drawn, not blank boxes only.
        band = grey.crop((0, height // 10, width, height // 5))
        assert band.getextrema()[0] < 100
