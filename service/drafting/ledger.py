"""The 整改台账: the 整改清单 as a spreadsheet that the office keeps up to date, one row per problem with the
清单's columns, the requirements quoted in full, and columns for progress and sign-off left to fill in."""

from __future__ import annotations

import io
from datetime import date as Date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from service.drafting.content import (
    DEADLINE_KINDS,
    LIST_COLUMNS,
    NOT_XML,
    chinese_date,
    list_cells,
    requirement_lines,
)
from service.drafting.plan import Draft

TRACKING = ("整改要求（原文）", "整改进展", "完成情况", "销号时间")
COLUMNS = LIST_COLUMNS + TRACKING
WIDTHS = (6, 30, 20, 34, 10, 16, 14, 10, 16, 34, 30, 24, 50, 24, 12, 12)  # in characters
FONT = "仿宋_GB2312"
HEADER_ROW = 3  # a title row and a line with the unit and date above it
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _clean(text: str) -> str:
    return NOT_XML.sub("", text)


def to_xlsx(draft: Draft, today: Date | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "整改台账"
    last = get_column_letter(len(COLUMNS))
    sheet.append([_clean(f"{draft.title}整改台账")])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(name="方正小标宋简体", size=18)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([_clean("　".join(part for part in (draft.issuer, chinese_date(draft.date, today)) if part))])
    sheet.merge_cells(f"A2:{last}2")
    sheet["A2"].alignment = Alignment(horizontal="right")
    sheet.append(list(COLUMNS))
    for number, problem in enumerate(draft.problems, start=1):
        row = list_cells(number, problem) + ["\n".join(requirement_lines(problem)), "", "", ""]
        sheet.append([int(row[0])] + [_clean(cell) for cell in row[1:]])
    for row in sheet.iter_rows(min_row=HEADER_ROW, max_row=sheet.max_row):
        for cell in row:
            header = cell.row == HEADER_ROW
            cell.font = Font(name="黑体" if header else FONT, size=11 if header else 10.5)
            cell.alignment = Alignment(wrap_text=True, vertical="center" if header or cell.column == 1 else "top",
                                       horizontal="center" if header or cell.column == 1 else "left")
            cell.border = _BOX
    for at, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(at)].width = width
    kinds = DataValidation(type="list", formula1='"' + ",".join(DEADLINE_KINDS) + '"', allow_blank=True)
    kinds.error = "整改时限可填写：" + "、".join(DEADLINE_KINDS) + "，或写明日期"
    kinds.showErrorMessage = False  # a date or 限期整改，2025年6月底前 is as good: the list only suggests
    sheet.add_data_validation(kinds)
    deadline = get_column_letter(LIST_COLUMNS.index("整改时限") + 1)
    kinds.add(f"{deadline}{HEADER_ROW + 1}:{deadline}{max(sheet.max_row, HEADER_ROW + 1) + 200}")
    sheet.freeze_panes = f"C{HEADER_ROW + 1}"  # the header and the problem stay in view
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"  # and the header repeats on every printed page
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{sheet.max_row}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
