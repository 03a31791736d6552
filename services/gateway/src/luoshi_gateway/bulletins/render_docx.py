"""A bulletin as a Word document in the layout of a government office's circular (GB/T 9704 in spirit):
red masthead, issue and date over a red rule, 小标宋-style title, 仿宋 body, 黑体 section heads."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.text.paragraph import Paragraph

from luoshi_gateway.bulletins.rules import Bulletin, chinese_date

RED = RGBColor(0xC0, 0x00, 0x00)
TITLE_FONT, BODY_FONT, HEAD_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体"


def _run(
    paragraph: Paragraph, text: str, font: str, size: float, *, bold: bool = False, red: bool = False
) -> None:
    run = paragraph.add_run(text)
    run.font.name = font
    run.font.size = Pt(size)
    run.font.bold = bold
    if red:
        run.font.color.rgb = RED
    r_pr = run._element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), font)  # Chinese text takes the East Asian font


def _red_rule(paragraph: Paragraph) -> None:
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "18"), ("space", "1"), ("color", "C00000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def render_docx(bulletin: Bulletin) -> bytes:
    document = Document()
    masthead = document.add_paragraph()
    masthead.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(masthead, bulletin.masthead, TITLE_FONT, 36, bold=True, red=True)
    issue = document.add_paragraph()
    issue.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(issue, bulletin.issue, BODY_FONT, 16)
    line = document.add_paragraph()
    _run(line, f"{bulletin.issuer}　　　　　　　　{chinese_date(bulletin.issued_on)}", BODY_FONT, 16)
    _red_rule(line)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, bulletin.title, TITLE_FONT, 22, bold=True)
    _run(document.add_paragraph(), bulletin.addressees, BODY_FONT, 16)
    for section in bulletin.sections:
        _run(document.add_paragraph(), section.title, HEAD_FONT, 16)
        for text in section.paragraphs:
            paragraph = document.add_paragraph()
            paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters
            _run(paragraph, text, BODY_FONT, 16)
        if section.table:
            table = document.add_table(rows=1, cols=len(section.table.headers))
            table.style = "Table Grid"
            for cell, header in zip(table.rows[0].cells, section.table.headers, strict=True):
                _run(cell.paragraphs[0], header, HEAD_FONT, 12)
            for row in section.table.rows:
                for cell, value in zip(table.add_row().cells, row, strict=True):
                    _run(cell.paragraphs[0], value, BODY_FONT, 12)
    for text in (bulletin.issuer, chinese_date(bulletin.issued_on)):
        foot = document.add_paragraph()
        foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _run(foot, text, BODY_FONT, 16)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
