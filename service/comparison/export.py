"""The 新旧对照 table as a Word file (A4 landscape, 仿宋) and as a spreadsheet, for a bureau's revision work."""

from __future__ import annotations

import io
from typing import Any

from service.comparison.table import HOW_LABELS, changes_text

COLUMNS = ("原条文", "原条文内容", "现行条文", "现行条文内容", "关系", "主要变化")


def _cells(row: dict[str, Any]) -> tuple[str, ...]:
    return (
        row["old"]["citation"],
        row["old"]["text"],
        "\n".join(s["citation"] for s in row["successors"]) or "无对应条文",
        "\n\n".join(s["text"] for s in row["successors"]),
        HOW_LABELS.get(row["how"], row["how"]),
        changes_text(row["changes"]) if row["successors"] else "",
    )


def title_of(table: dict[str, Any]) -> str:
    new = table["new"]["title"] if table["new"] else "现行文本"
    return f"《{table['old']['title']}》与《{new}》新旧条文对照表"


def to_docx(table: dict[str, Any]) -> bytes:
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    document = docx.Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.0))
    style = document.styles["Normal"]
    style.font.name, style.font.size = "仿宋", Pt(10.5)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    heading = document.add_paragraph()
    run = heading.add_run(title_of(table))
    run.bold, run.font.size = True, Pt(16)
    run.font.name = "黑体"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")
    grid = document.add_table(rows=1, cols=len(COLUMNS))
    grid.style = "Table Grid"
    grid.autofit = False
    widths = (Cm(3.2), Cm(7.2), Cm(3.2), Cm(7.2), Cm(1.6), Cm(3.3))
    for column, width in zip(grid.columns, widths):  # the grid LibreOffice and Word lay the table out by
        column.width = width
    for cell, name, width in zip(grid.rows[0].cells, COLUMNS, widths):
        cell.text = name
        cell.paragraphs[0].runs[0].bold = True
        cell.width = width
    for row in table["rows"]:
        cells = grid.add_row().cells
        for cell, value, width in zip(cells, _cells(row), widths):
            cell.text = value
            cell.width = width
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def to_xlsx(table: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    sheet.title = "新旧对照"
    sheet.append([title_of(table)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(COLUMNS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in table["rows"]:
        sheet.append(list(_cells(row)))
    for letter, width in zip("ABCDEF", (24, 60, 24, 60, 10, 30)):
        sheet.column_dimensions[letter].width = width
    for line in sheet.iter_rows(min_row=3):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
