"""The validation notice as a PDF (English or Spanish), laid out like model form B-1: the
collector and consumer, the itemization table, the dispute and original-creditor prompts, the
CFPB reference, the Spanish-language statement and the tear-off response form. The vendored
font is embedded (``notices.pdf``)."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from .pdf import build_pdf, issued_line, localize, pdf_markup, pdf_styles, pdf_table
from .validation_texts import NoticeContent


def render_validation_pdf(content: NoticeContent, *, reference: str, issued_at: datetime | None, footer: str) -> bytes:
    # English and Spanish wrap between words (the CJK wrap would split words across lines).
    styles = {
        name: ParagraphStyle(f"{style.name}Latin", parent=style, wordWrap=None) for name, style in pdf_styles().items()
    }
    issued = localize(issued_at)
    story: list = [
        Paragraph(pdf_markup(content.title), styles["title"]),
        Paragraph(pdf_markup(issued_line(issued, content.locale)), styles["issued"]),
    ]
    story += [Paragraph(pdf_markup(line), styles["cell"]) for line in content.header]
    story.append(Spacer(1, 4 * mm))
    story += [Paragraph(pdf_markup(line), styles["body"]) for line in content.intro]
    story.append(pdf_table([[label, amount] for label, amount in content.itemization], styles))
    for heading, paragraphs in content.sections:
        story.append(Spacer(1, 3 * mm))
        story.append(Paragraph(pdf_markup(heading), styles["cell_header"]))
        story += [Paragraph(pdf_markup(text), styles["body"]) for text in paragraphs]
    story.append(Spacer(1, 6 * mm))
    story += [Paragraph(pdf_markup(line), styles["body"]) for line in content.tear_off]
    return build_pdf(
        story,
        title=content.title,
        reference=reference,
        footer=footer,
        issued=issued,
        language=content.locale,
        keywords="12 CFR 1006.34",
    )
