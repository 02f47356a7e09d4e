"""PDF rendering for letters, receipts and statements.

Every document embeds the CJK TrueType font vendored in ``notices/fonts/`` (see the README there), so a
letter looks the same in every viewer, on every machine and in court: no system fonts, nothing fetched
at run time. ReportLab embeds only the glyphs a document uses (a subset), so files stay small.

Output is deterministic: ReportLab runs in invariant mode and the PDF creation date is ``issued_at``, so
the same input always gives the same bytes. Only a call without ``issued_at`` (stamped with the current
time) differs from run to run.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from io import BytesIO
from pathlib import Path
from xml.sax.saxutils import escape

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

__all__ = [
    "FONT_BOLD",
    "FONT_DIR",
    "FONT_FAMILY",
    "FONT_FILE",
    "missing_glyphs",
    "register_fonts",
    "render_document",
]

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT_FILE = FONT_DIR / "NotoSansSC-Regular.ttf"
# Optional: only used if a Bold face is vendored next to the Regular one (it is not, to keep the repo small).
FONT_BOLD_FILE = FONT_DIR / "NotoSansSC-Bold.ttf"

FONT_FAMILY = "FairdueCJK"
FONT_BOLD = "FairdueCJK-Bold"

AUTHOR = "Fairdue"
METADATA_KEYS = frozenset({"subject", "keywords", "creator"})

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT_MARGIN = RIGHT_MARGIN = 25 * mm
TOP_MARGIN = 30 * mm
BOTTOM_MARGIN = 28 * mm
CONTENT_WIDTH = PAGE_WIDTH - LEFT_MARGIN - RIGHT_MARGIN

_register_lock = threading.Lock()
_bold_font_name: str | None = None

# Cells that look like amounts or counts ("¥1,234.50", "-30.00", "12 天", "3.5%") are right-aligned.
_NUMERIC_CELL = re.compile(r"^[¥￥$+\-−]?\s*[\d,]+(\.\d+)?\s*(%|元|天|期|日)?$")
# Leading ideographic spaces are the Chinese paragraph indent ("　　本函……"); ReportLab would collapse them.
_IDEOGRAPHIC_SPACE = "\u3000"


def register_fonts() -> str:
    """Register the vendored CJK font with ReportLab (idempotent, thread-safe) and return the family name.

    ``<b>`` in the family maps to the Bold face when one is vendored, otherwise to the Regular face.
    """
    global _bold_font_name
    with _register_lock:
        if FONT_FAMILY not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT_FAMILY, str(FONT_FILE)))
            bold = FONT_FAMILY
            if FONT_BOLD_FILE.exists():
                pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_BOLD_FILE)))
                bold = FONT_BOLD
            pdfmetrics.registerFontFamily(
                FONT_FAMILY, normal=FONT_FAMILY, bold=bold, italic=FONT_FAMILY, boldItalic=bold
            )
            _bold_font_name = bold
    return FONT_FAMILY


def _bold() -> str:
    register_fonts()
    return _bold_font_name or FONT_FAMILY


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` the vendored font has no glyph for (they would print as empty boxes).

    Whitespace and control characters are ignored. Each character is listed once, in order of appearance.
    """
    register_fonts()
    char_to_glyph = pdfmetrics.getFont(FONT_FAMILY).face.charToGlyph
    missing: list[str] = []
    for char in text:
        if char.isspace() or unicodedata.category(char).startswith("C"):
            continue
        if ord(char) not in char_to_glyph and char not in missing:
            missing.append(char)
    return missing


@dataclass(frozen=True)
class _Furniture:
    """What is drawn on every page around the flowing content."""

    reference: str
    footer: str
    issued_at: datetime
    reference_label: str = "编号："


def _pdf_date(issued_at: datetime, *_ignored: int) -> str:
    """ReportLab date formatter: the PDF CreationDate/ModDate is the issue time, not the build time."""
    offset = issued_at.utcoffset()
    total_minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign = "+" if total_minutes >= 0 else "-"
    hours, minutes = divmod(abs(total_minutes), 60)
    return f"D:{issued_at:%Y%m%d%H%M%S}{sign}{hours:02d}'{minutes:02d}'"


class _DocumentCanvas(canvas.Canvas):
    """Canvas that draws the header and the "page/total" footer once the page count is known."""

    def __init__(self, *args, furniture: _Furniture, **kwargs):
        super().__init__(*args, **kwargs)
        self._furniture = furniture
        self._page_states: list[dict] = []
        self.setDateFormatter(partial(_pdf_date, furniture.issued_at))

    def showPage(self):
        self._page_states.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._page_states)
        for state in self._page_states:
            self.__dict__.update(state)
            self._draw_furniture(total)
            super().showPage()
        super().save()

    def _draw_furniture(self, total: int) -> None:
        furniture = self._furniture
        self.saveState()
        self.setStrokeColor(colors.HexColor("#888888"))
        self.setLineWidth(0.5)

        # Header: brand on the left, reference number on the right, a rule underneath.
        header_y = PAGE_HEIGHT - TOP_MARGIN + 10 * mm
        self.setFont(_bold(), 10)
        self.setFillColor(colors.HexColor("#1f3a5f"))
        self.drawString(LEFT_MARGIN, header_y, AUTHOR)
        if furniture.reference:
            self.setFont(FONT_FAMILY, 9)
            self.setFillColor(colors.black)
            self.drawRightString(
                PAGE_WIDTH - RIGHT_MARGIN, header_y, f"{furniture.reference_label}{furniture.reference}"
            )
        self.line(LEFT_MARGIN, header_y - 2.5 * mm, PAGE_WIDTH - RIGHT_MARGIN, header_y - 2.5 * mm)

        # Footer: a rule, the footer text (wrapped) on the left, "page/total" on the right.
        rule_y = BOTTOM_MARGIN - 8 * mm
        self.line(LEFT_MARGIN, rule_y, PAGE_WIDTH - RIGHT_MARGIN, rule_y)
        self.setFillColor(colors.black)
        page_label = f"{self.getPageNumber()}/{total}"
        self.setFont(FONT_FAMILY, 9)
        self.drawRightString(PAGE_WIDTH - RIGHT_MARGIN, rule_y - 4.5 * mm, page_label)
        if furniture.footer:
            footer = Paragraph(_markup(furniture.footer), _styles()["footer"])
            _, height = footer.wrap(CONTENT_WIDTH - 25 * mm, rule_y)
            footer.drawOn(self, LEFT_MARGIN, rule_y - 2 * mm - height)
        self.restoreState()


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    common = {"fontName": FONT_FAMILY, "wordWrap": "CJK"}
    return {
        "title": ParagraphStyle(
            "FairdueTitle",
            fontSize=16,
            leading=22,
            alignment=TA_CENTER,
            spaceAfter=4 * mm,
            **{**common, "fontName": _bold()},
        ),
        "issued": ParagraphStyle(
            "FairdueIssued", fontSize=9, leading=13, alignment=TA_RIGHT, spaceAfter=5 * mm, **common
        ),
        "body": ParagraphStyle(
            "FairdueBody", fontSize=11, leading=19, alignment=TA_LEFT, spaceAfter=2.5 * mm, **common
        ),
        "cell": ParagraphStyle("FairdueCell", fontSize=9.5, leading=13, alignment=TA_LEFT, **common),
        "cell_numeric": ParagraphStyle("FairdueCellNumeric", fontSize=9.5, leading=13, alignment=TA_RIGHT, **common),
        "cell_header": ParagraphStyle(
            "FairdueCellHeader", fontSize=9.5, leading=13, alignment=TA_LEFT, **{**common, "fontName": _bold()}
        ),
        "footer": ParagraphStyle(
            "FairdueFooter", fontSize=8, leading=11, textColor=colors.HexColor("#555555"), **common
        ),
    }


def _markup(text: str) -> str:
    """User text -> Paragraph markup: escape ``& < >`` and keep line breaks."""
    return "<br/>".join(escape(line) for line in str(text).splitlines()) if text else ""


def _body_paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    stripped = text.lstrip(_IDEOGRAPHIC_SPACE)
    indent = len(text) - len(stripped)
    if indent:
        style = ParagraphStyle(f"{style.name}Indent{indent}", parent=style, firstLineIndent=indent * style.fontSize)
    return Paragraph(_markup(stripped), style)


def _table(rows: list[list[str]], styles: dict[str, ParagraphStyle]) -> Table:
    width = len(rows[0])
    if width == 0 or any(len(row) != width for row in rows):
        raise ValueError("table rows must all have the same, non-zero number of cells")
    data = []
    for index, row in enumerate(rows):
        cells = []
        for cell in row:
            text = "" if cell is None else str(cell)
            if index == 0:
                style = styles["cell_header"]
            elif _NUMERIC_CELL.match(text.strip()):
                style = styles["cell_numeric"]
            else:
                style = styles["cell"]
            cells.append(Paragraph(_markup(text), style))
        data.append(cells)
    table = Table(data, colWidths=[CONTENT_WIDTH / width] * width, repeatRows=1 if len(rows) > 1 else 0)
    commands = [
        # Cells are Paragraphs, but Table still selects its cell font (Helvetica by default) before drawing
        # them, which would put a non-embedded font in the PDF.
        ("FONTNAME", (0, 0), (-1, -1), FONT_FAMILY),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#555555")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if len(rows) > 1:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf3")))
    table.setStyle(TableStyle(commands))
    return table


def _localize(issued_at: datetime | None) -> datetime:
    if issued_at is None:
        return timezone.localtime()
    if timezone.is_naive(issued_at):
        return timezone.make_aware(issued_at)
    return timezone.localtime(issued_at)


# Labels of the page furniture and issue line for letters in other languages (US notices).
LABELS: dict[str, tuple[str, str]] = {
    "en": ("Reference: ", "Issued: {issued:%Y-%m-%d %H:%M}"),
    "es": ("Referencia: ", "Emitido: {issued:%d/%m/%Y %H:%M}"),
}


def issued_line(issued: datetime, language: str) -> str:
    if language in LABELS:
        return LABELS[language][1].format(issued=issued)
    return f"出具时间：{issued.year}年{issued.month}月{issued.day}日 {issued:%H:%M}"


def build_pdf(
    story: list,
    *,
    title: str,
    reference: str,
    footer: str,
    issued: datetime,
    language: str,
    subject: str = "",
    keywords: str = "",
    creator: str = AUTHOR,
) -> bytes:
    """Lay out ``story`` (flowables made with ``pdf_styles()``) on A4 pages with the furniture."""
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=LEFT_MARGIN,
        rightMargin=RIGHT_MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=title,
        author=AUTHOR,
        subject=subject or title,
        keywords=keywords,
        creator=creator,
        lang={"en": "en-US", "es": "es-US"}.get(language, "zh-CN"),
        invariant=1,
        initialFontName=FONT_FAMILY,
    )
    label = LABELS[language][0] if language in LABELS else "编号："
    furniture = _Furniture(reference=reference, footer=footer, issued_at=issued, reference_label=label)
    doc.build(story, canvasmaker=partial(_DocumentCanvas, furniture=furniture))
    return buffer.getvalue()


def pdf_styles() -> dict[str, ParagraphStyle]:
    return _styles()


def pdf_markup(text: str) -> str:
    return _markup(text)


def pdf_table(rows: list[list[str]], styles: dict[str, ParagraphStyle] | None = None) -> Table:
    return _table(rows, styles or _styles())


def localize(issued_at: datetime | None) -> datetime:
    return _localize(issued_at)


def render_document(
    *,
    title: str,
    paragraphs: list[str],
    table: list[list[str]] | None = None,
    footer: str = "",
    reference: str = "",
    issued_at: datetime | None = None,
    metadata: dict[str, str] | None = None,
    language: str = "zh-hans",
) -> bytes:
    """Render an A4 PDF: title, issue time, paragraphs, then an optional itemised table with grid lines.

    All text is plain text (markup characters are escaped). A paragraph that starts with ideographic
    spaces (U+3000) gets a first-line indent of that many characters. The first table row is the header
    and is repeated on every page the table spans. ``issued_at`` is shown on the document and used as
    the PDF creation date; naive values are taken as local time (``TIME_ZONE``), ``None`` means now.
    ``metadata`` may set the PDF ``subject`` (default: the title), ``keywords`` and ``creator``.
    """
    metadata = dict(metadata or {})
    unknown = set(metadata) - METADATA_KEYS
    if unknown:
        raise ValueError(f"unsupported PDF metadata keys: {sorted(unknown)}; allowed: {sorted(METADATA_KEYS)}")

    register_fonts()
    styles = _styles()
    issued = _localize(issued_at)

    story: list = [
        Paragraph(_markup(title), styles["title"]),
        Paragraph(_markup(issued_line(issued, language)), styles["issued"]),
    ]
    story.extend(_body_paragraph(str(text), styles["body"]) for text in paragraphs)
    if table:
        story.append(Spacer(1, 3 * mm))
        story.append(_table(table, styles))

    return build_pdf(
        story,
        title=title,
        reference=reference,
        footer=footer,
        issued=issued,
        language=language,
        subject=metadata.get("subject", title),
        keywords=metadata.get("keywords", ""),
        creator=metadata.get("creator", AUTHOR),
    )
