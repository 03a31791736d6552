"""A bulletin as PDF (reportlab, with its built-in Chinese CID font: no font file to ship or install)."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Flowable, HRFlowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from luoshi_gateway.bulletins.rules import Bulletin, chinese_date

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
RED = colors.HexColor("#C00000")
_BASE = ParagraphStyle("body", fontName=FONT, fontSize=14, leading=24, wordWrap="CJK")
MASTHEAD = ParagraphStyle(
    "masthead", parent=_BASE, fontSize=34, leading=44, alignment=TA_CENTER, textColor=RED
)
CENTRE = ParagraphStyle("centre", parent=_BASE, alignment=TA_CENTER)
TITLE = ParagraphStyle("title", parent=_BASE, fontSize=20, leading=32, alignment=TA_CENTER, spaceBefore=12)
HEAD = ParagraphStyle("head", parent=_BASE, spaceBefore=8)
BODY = ParagraphStyle("indented", parent=_BASE, firstLineIndent=28)
CELL = ParagraphStyle("cell", parent=_BASE, fontSize=10, leading=14)
RIGHT = ParagraphStyle("right", parent=_BASE, alignment=TA_RIGHT)


def render_pdf(bulletin: Bulletin) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=28 * mm,
        rightMargin=26 * mm,
        topMargin=37 * mm,
        title=bulletin.title,
        author=bulletin.issuer,
    )
    story: list[Flowable] = [
        Paragraph(escape(bulletin.masthead), MASTHEAD),
        Paragraph(escape(bulletin.issue), CENTRE),
        Paragraph(escape(f"{bulletin.issuer}　　　　{chinese_date(bulletin.issued_on)}"), CENTRE),
        HRFlowable(width="100%", thickness=2, color=RED, spaceBefore=4, spaceAfter=8),
        Paragraph(escape(bulletin.title), TITLE),
        Paragraph(escape(bulletin.addressees), _BASE),
    ]
    for section in bulletin.sections:
        story.append(Paragraph(escape(section.title), HEAD))
        story += [Paragraph(escape(text), BODY) for text in section.paragraphs]
        if section.table:
            data = [
                [Paragraph(escape(v), CELL) for v in row]
                for row in [section.table.headers, *section.table.rows]
            ]
            table = Table(data, repeatRows=1, hAlign="LEFT")
            table.setStyle(
                TableStyle(
                    [("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")]
                )
            )
            story.append(table)
    story += [
        Spacer(1, 12),
        Paragraph(escape(bulletin.issuer), RIGHT),
        Paragraph(chinese_date(bulletin.issued_on), RIGHT),
    ]
    doc.build(story)
    return out.getvalue()
