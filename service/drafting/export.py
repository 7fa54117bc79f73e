"""The plan as a Word table in government-document style (A4, 仿宋/黑体), or as Markdown."""

from __future__ import annotations

import io
import re
import time

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from service.drafting.plan import Draft

COLUMNS = ("序号", "问题", "整改依据", "整改要求", "整改措施", "责任单位", "整改时限", "销号标准")
WIDTHS_CM = (1.2, 4.0, 5.2, 5.4, 3.2, 2.2, 2.0, 2.5)  # A4 landscape, 2 cm margins: 25.7 cm of text width
BODY_FONT, HEADING_FONT = "仿宋_GB2312", "黑体"
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # control characters XML 1.0 cannot hold


def basis_lines(problem: dict) -> list[str]:
    bases = [base["citation"] for base in problem["bases"]]
    bases += [f"{penalty['citation']}（罚则）" for penalty in problem["penalties"]]
    return bases


def plan_citations(problems: list[dict]) -> str:
    """The plan's text that cites: every basis and penalty line and the measures, one per line."""
    lines = []
    for problem in problems:
        lines += basis_lines(problem)
        if problem.get("measures"):
            lines.append(problem["measures"])
    return "\n".join(lines)


def requirement_lines(problem: dict, limit: int = 6) -> list[str]:
    """The first obligations, grouped under the citation they come from, each citation named once."""
    grouped: dict[str, list[str]] = {}
    for obligation in problem["obligations"][:limit]:
        grouped.setdefault(obligation["citation"], []).append(obligation["sentence"])
    return [f"{citation}：{''.join(sentences)}" for citation, sentences in grouped.items()]


def _run(paragraph, text: str, name: str, size: float, bold: bool = False) -> None:
    """A run of `text` (less the characters a .docx cannot hold, which a pasted text may carry) in the font."""
    run = paragraph.add_run(_NOT_XML.sub("", text))
    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _cell_text(cell, lines: list[str], size: float = 10.5, bold: bool = False, font: str = BODY_FONT, centered: bool = False) -> None:
    cell.text = ""
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER if centered else WD_CELL_VERTICAL_ALIGNMENT.TOP
    for number, line in enumerate(lines or [""]):
        paragraph = cell.paragraphs[0] if number == 0 else cell.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        if centered:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _run(paragraph, line, font, size, bold)


def to_docx(draft: Draft) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    document.core_properties.title = _NOT_XML.sub("", draft.title)

    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, draft.title, "方正小标宋简体", 22)
    header = document.add_paragraph()
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(header, f"（共{len(draft.problems)}项问题　依据检索生成于{time.strftime('%Y年%m月%d日')}，请逐条核对后使用）", BODY_FONT, 12)

    table = document.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False  # fixed layout: LibreOffice and WPS lay out by the column grid, Word by cell widths
    for column, width in zip(table.columns, WIDTHS_CM):
        column.width = Cm(width)
    for cell, name, width in zip(table.rows[0].cells, COLUMNS, WIDTHS_CM):
        _cell_text(cell, [name], 11, bold=True, font=HEADING_FONT, centered=True)
        cell.width = Cm(width)
    for number, problem in enumerate(draft.problems, start=1):
        values = [
            [str(number)],
            [problem["problem"]],
            basis_lines(problem),
            requirement_lines(problem),
            [problem["measures"] or ""],
            [problem["unit"] or ""],
            [problem["deadline"] or ""],
            [problem["signoff"] or ""],
        ]
        for column, (cell, lines, width) in enumerate(zip(table.add_row().cells, values, WIDTHS_CM)):
            _cell_text(cell, lines, centered=column == 0)
            cell.width = Cm(width)
    repeat = table.rows[0]._tr.get_or_add_trPr()  # the header row repeats on every page
    element = repeat.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    repeat.append(element)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _md_cell(lines: list[str]) -> str:
    return "<br>".join(line.replace("|", "｜").replace("\n", " ") for line in lines if line)


def to_markdown(draft: Draft) -> str:
    out = [f"# {draft.title}", "", f"共{len(draft.problems)}项问题；依据为检索结果，请逐条核对后使用。", ""]
    out.append("| " + " | ".join(COLUMNS) + " |")
    out.append("|" + "---|" * len(COLUMNS))
    for number, problem in enumerate(draft.problems, start=1):
        cells = [
            str(number),
            _md_cell([problem["problem"]]),
            _md_cell(basis_lines(problem)),
            _md_cell(requirement_lines(problem)),
            _md_cell([problem["measures"] or ""]),
            _md_cell([problem["unit"] or ""]),
            _md_cell([problem["deadline"] or ""]),
            _md_cell([problem["signoff"] or ""]),
        ]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"



