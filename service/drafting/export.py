"""The plan in its three files: the 方案 as Word (GB/T 9704-2012, service/drafting/gbt9704.py), the same as
Markdown, and the 整改台账 as a spreadsheet (service/drafting/ledger.py)."""

from __future__ import annotations

from datetime import date as Date

from service.drafting.content import (
    ATTACHMENT_TITLE,
    LIST_COLUMNS,
    chinese_date,
    list_cells,
    plan_citations,
    problem_sections,
)
from service.drafting.plan import Draft

__all__ = ["FORMATS", "LIST_COLUMNS", "plan_citations", "to_docx", "to_markdown", "to_xlsx"]

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def to_docx(draft: Draft, today: Date | None = None) -> bytes:
    """The 方案 as Word (gbt9704.py); python-docx is imported by the first export, not by every start."""
    from service.drafting import gbt9704

    return gbt9704.to_docx(draft, today)


def to_xlsx(draft: Draft, today: Date | None = None) -> bytes:
    """The 整改台账 as a spreadsheet (ledger.py); openpyxl is imported by the first export, not by every start."""
    from service.drafting import ledger

    return ledger.to_xlsx(draft, today)


def _md_cell(text: str) -> str:
    return "<br>".join(line.replace("|", "｜") for line in text.split("\n") if line.strip())


def to_markdown(draft: Draft, today: Date | None = None) -> str:
    """The 方案's text, the 落款, then the 整改清单 as a table: what the Word file holds, in Markdown."""
    out = [f"# {draft.title}", ""]
    for heading, parts in problem_sections(draft.problems):
        out += [f"## {heading}", ""]
        for sub_heading, lines in parts:
            out += [f"**{sub_heading}**{lines[0]}", ""] + [line for extra in lines[1:] for line in (extra, "")]
    out += [f"附件：{ATTACHMENT_TITLE}", ""]
    signature = [draft.issuer] if draft.issuer else []
    out += ["<div align=\"right\">", "", *(f"{line}<br>" for line in signature), chinese_date(draft.date, today), "", "</div>", ""]
    out += [f"## 附件　{ATTACHMENT_TITLE}", ""]
    out.append("| " + " | ".join(LIST_COLUMNS) + " |")
    out.append("|" + "---|" * len(LIST_COLUMNS))
    for number, problem in enumerate(draft.problems, start=1):
        out.append("| " + " | ".join(_md_cell(cell) for cell in list_cells(number, problem)) + " |")
    return "\n".join(out) + "\n"


# format → (writer, media type, file extension)
FORMATS = {
    "docx": (to_docx, DOCX_TYPE, "docx"),
    "markdown": (to_markdown, "text/markdown; charset=utf-8", "md"),
    "xlsx": (to_xlsx, XLSX_TYPE, "xlsx"),
}
