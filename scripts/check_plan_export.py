"""The exported plan against what the page keeps: are all requirements in the file, is the 销号标准 drafted?

    python scripts/check_plan_export.py --index DIR [--bases 8] [--save-draft var/render/draft.json]

Drafts a plan for every `drafting` problem of ../shared/eval/eco_dev.jsonl and eco_dev2.jsonl over the index
(BM25 alone serves: the figure is about the export, not the ranking), exports it to Word, and counts per problem
the requirements (obligation sentences) the page keeps, those the earlier export held (the first six only:
`requirement_lines(limit=6)`) and those the Word file holds now; then the rows of the 整改清单 whose cells were
cut to fit one page, and the 销号标准 drafted. Prints the totals, the share per problem (median and range)
and the problems whose file dropped a requirement. --save-draft writes the plan as JSON for
scripts/render_draft.py --draft.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from docx import Document  # noqa: E402

from service.drafting.gbt9704 import CUT_NOTE, to_docx  # noqa: E402
from service.drafting.plan import DraftOptions, Problem, draft_plan  # noqa: E402
from service.retrieval.engine import open_searcher  # noqa: E402

SHARED = ROOT.parent / "shared"
EARLIER_LIMIT = 6  # what requirement_lines(problem, limit=6) kept before


def problems() -> list[str]:
    found = []
    for name in ("eco_dev.jsonl", "eco_dev2.jsonl"):
        path = SHARED / "eval" / name
        if path.is_file():
            found += [json.loads(line)["query"] for line in path.read_text(encoding="utf-8").splitlines() if '"drafting"' in line]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--bases", type=int, default=8)
    parser.add_argument("--save-draft", type=Path, default=None)
    args = parser.parse_args()
    texts = problems()
    if not texts:
        print(f"no drafting problems under {SHARED / 'eval'}", file=sys.stderr)
        return 2
    searcher = open_searcher(args.index, vectors=False)
    draft = draft_plan(searcher, [Problem(text) for text in texts], DraftOptions(bases_per_problem=args.bases), issuer="示例县人民政府")
    document = Document(io.BytesIO(to_docx(draft)))
    body = "\n".join(p.text for p in document.paragraphs)
    kept = earlier = now = 0
    shares_before, shares_now, dropped = [], [], []
    for problem in draft.problems:
        sentences = [o["sentence"] for o in problem["obligations"]]
        if not sentences:
            continue
        held = sum(sentence.strip() in body for sentence in sentences)
        before = min(len(sentences), EARLIER_LIMIT)
        kept, earlier, now = kept + len(sentences), earlier + before, now + held
        shares_before.append(before / len(sentences))
        shares_now.append(held / len(sentences))
        if before < len(sentences):
            local = [o for o in problem["obligations"][EARLIER_LIMIT:] if "全国" != next(
                (b["document"]["region"] for b in problem["bases"] if b["clause_id"] == o["clause_id"]), "全国")]
            dropped.append((problem["problem"], len(sentences) - before, len(local)))
    table = document.tables[0]
    cut = sum(any(cell.text.endswith(CUT_NOTE) for cell in row.cells) for row in table.rows[1:])
    print(f"problems: {len(draft.problems)} ({len(shares_now)} with requirements); index {searcher.index.generation}")
    print(f"requirements the page keeps: {kept}")
    print(f"  in the earlier file (first {EARLIER_LIMIT}): {earlier} ({earlier / kept:.1%}); per problem median "
          f"{statistics.median(shares_before):.0%}, range {min(shares_before):.0%}–{max(shares_before):.0%}")
    print(f"  in the Word file now: {now} ({now / kept:.1%}); per problem median {statistics.median(shares_now):.0%}, "
          f"range {min(shares_now):.0%}–{max(shares_now):.0%}")
    print(f"problems whose earlier file dropped requirements: {len(dropped)}; local texts' requirements among those dropped: "
          f"{sum(local for _, _, local in dropped)}")
    print(f"整改清单 rows with a cell cut to half a page: {cut} of {len(table.rows) - 1}")
    rules = ", ".join(rule["citation"] for rule in draft.signoff_rules) or "none (no 销号办法 in force in the index)"
    print(f"销号标准 drafted from: {rules}; rows with a 销号标准: {sum(bool(p['signoff']) for p in draft.problems)}")
    print(f"pages of the file: section 1 portrait, section 2 landscape ({len(document.sections)} sections)")
    if args.save_draft:
        args.save_draft.parent.mkdir(parents=True, exist_ok=True)
        args.save_draft.write_text(json.dumps(draft.to_dict(), ensure_ascii=False), encoding="utf-8")
        print(f"draft: {args.save_draft}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
