"""`draft` subcommand: a problem list in, a rectification-plan table (.docx or .md) out."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from policy_search.embedding.tuned import MODELS
from policy_search.errors import PolicySearchError


def add_commands(commands) -> None:
    draft = commands.add_parser("draft", help="draft a rectification plan for a list of inspection problems")
    draft.add_argument("problems", type=Path, help="one problem per line (.txt), paragraphs of a .docx, or the first column of a .xlsx")
    draft.add_argument("--out", type=Path, required=True, help="plan.docx or plan.md")
    draft.add_argument("--index", type=Path, default=Path("var/index"))
    draft.add_argument("--bases", type=int, default=10, help="bases per problem, the most relevant")
    draft.add_argument("--region", default=None, help="bring this region's texts forward")
    draft.add_argument("--title", default=None)
    draft.add_argument("--model", choices=MODELS, default=None, help="built-in embedding model the index was built with")
    draft.add_argument("--model-dir", type=Path, default=None)
    draft.set_defaults(run=run_draft)


_LIST_NUMBER = re.compile(r"^(?:\d{1,3}[.、．)）]|[（(]\d{1,3}[)）]|[（(]?[一二三四五六七八九十]{1,3}[、)）])\s*")


def read_problems(path: Path) -> list[str]:
    """Problems from a list: lines of text, paragraphs of a Word file, or the first column of a sheet."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        from docx import Document

        document = Document(str(path))
        lines = [p.text for p in document.paragraphs]
        lines += [row.cells[0].text for table in document.tables for row in table.rows[1:]]
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True).active
        lines = [str(row[0]) for row in sheet.iter_rows(values_only=True) if row and row[0] is not None]
    else:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    problems = []
    for line in lines:
        text = _LIST_NUMBER.sub("", line.strip())
        if len(text) >= 4 and text not in ("问题", "问题描述", "存在问题"):
            problems.append(text)
    return problems


def run_draft(args) -> int:
    from service.drafting.export import to_docx, to_markdown
    from service.drafting.plan import DraftOptions, Problem, draft_plan
    from service.retrieval.engine import open_searcher

    try:
        problems = [Problem(text) for text in read_problems(args.problems)]
        searcher = open_searcher(args.index, model_dir=args.model_dir, model=args.model)
        draft = draft_plan(searcher, problems, DraftOptions(bases_per_problem=args.bases, region=args.region), args.title)
    except (PolicySearchError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.out.suffix.lower() == ".md":
        args.out.write_text(to_markdown(draft), encoding="utf-8")
    else:
        args.out.write_bytes(to_docx(draft))
    bases = sum(len(p["bases"]) for p in draft.problems)
    print(f"{args.out}: {len(draft.problems)} problems, {bases} bases cited")
    return 0
