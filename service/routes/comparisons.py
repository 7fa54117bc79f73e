"""GET /comparisons (the texts with a 新旧对照) and GET /comparisons/{doc_id}(.docx|.xlsx): one old text's table."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from service.auth import SearchAccess
from service.comparison.export import to_docx, to_xlsx
from service.comparison.table import aligned_texts, comparison
from service.deps import SearcherDep
from service.schemas import error_responses

router = APIRouter(tags=["comparisons"], responses=error_responses(401, 404, 503))
DocId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z_-]+$")]
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/comparisons")
def list_comparisons(_: SearchAccess, searcher: SearcherDep):
    """Every repealed or older text that has a successor text in the index, with its rows and rows without one."""
    return {"texts": aligned_texts(searcher.succession), "index_generation": searcher.index.generation}


@router.get("/comparisons/{doc_id}.docx", responses={200: {"content": {DOCX_TYPE: {}}}})
def comparison_docx(_: SearchAccess, searcher: SearcherDep, doc_id: DocId):
    """The table as a Word file (A4 landscape)."""
    table = comparison(searcher.succession, doc_id)
    return Response(to_docx(table), media_type=DOCX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="comparison-{doc_id}.docx"'})


@router.get("/comparisons/{doc_id}.xlsx", responses={200: {"content": {XLSX_TYPE: {}}}})
def comparison_xlsx(_: SearchAccess, searcher: SearcherDep, doc_id: DocId):
    """The table as a spreadsheet."""
    table = comparison(searcher.succession, doc_id)
    return Response(to_xlsx(table), media_type=XLSX_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="comparison-{doc_id}.xlsx"'})


@router.get("/comparisons/{doc_id}")
def get_comparison(_: SearchAccess, searcher: SearcherDep, doc_id: DocId):
    """新旧条文对照 of one old text: each old article (and 款 of a split one) with the articles in force that carry
    its rule, how (same, amended, split, merged, none), the similarity and what changed."""
    return comparison(searcher.succession, doc_id)
