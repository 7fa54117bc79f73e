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
    draft.add_argument("--out", type=Path, required=True,
                       help="plan.docx (written with plan.md and the 整改台账 plan.xlsx beside it), or plan.md or plan.xlsx alone")
    draft.add_argument("--index", type=Path, default=Path("var/index"))
    draft.add_argument("--bases", type=int, default=10, help="bases per problem, the most relevant")
    draft.add_argument("--region", default=None, help="bring this region's texts forward")
    draft.add_argument("--title", default=None)
    draft.add_argument("--issuer", default=None, help="the 落款's unit, e.g. 某县人民政府")
    draft.add_argument("--date", default=None, help="the 落款's date, YYYY-MM-DD (default: today)")
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


OUTPUTS = {".docx": ("docx", "markdown", "xlsx"), ".md": ("markdown",), ".xlsx": ("xlsx",)}


def run_draft(args) -> int:
    from datetime import date

    from service.drafting.export import FORMATS
    from service.drafting.plan import DraftOptions, Problem, draft_plan
    from service.retrieval.engine import open_searcher

    formats = OUTPUTS.get(args.out.suffix.lower())
    if formats is None:
        print(f"error: --out {args.out}: the plan is written as .docx, .md or .xlsx", file=sys.stderr)
        return 2
    if not args.out.parent.is_dir():
        print(f"error: --out {args.out}: no folder {args.out.parent}", file=sys.stderr)
        return 2
    try:
        if args.date is not None:
            try:
                date.fromisoformat(args.date)
            except ValueError:
                raise ValueError(f"--date {args.date}: not a day as YYYY-MM-DD") from None
        problems = [Problem(text) for text in read_problems(args.problems)]
        searcher = open_searcher(args.index, model_dir=args.model_dir, model=args.model)
        options = DraftOptions(bases_per_problem=args.bases, region=args.region)
        draft = draft_plan(searcher, problems, options, args.title, args.issuer, args.date)
    except (PolicySearchError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    bases = sum(len(p["bases"]) for p in draft.problems)
    for fmt in formats:
        write, _media_type, extension = FORMATS[fmt]
        path = args.out.with_suffix(f".{extension}")
        content = write(draft)
        try:
            path.write_text(content, encoding="utf-8") if isinstance(content, str) else path.write_bytes(content)
        except OSError as exc:
            print(f"error: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
            return 2
        print(f"{path}: {len(draft.problems)} problems, {bases} bases cited")
    if draft.signoff_rules:
        print("销号标准 drafted from " + "、".join(rule["citation"] for rule in draft.signoff_rules))
    return 0
