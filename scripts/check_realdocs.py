"""What the indexer makes of real published documents: metadata, lines that are not clauses among the search
units, and whether every numbered part cites back to itself.

    python scripts/check_realdocs.py [--folder ../shared/realdocs] [--json var/realdocs.json]

Per document: title, 文号, issuer, date, type; `stray` counts search units that are a date, an issuer's name, an
addressee or person addressed, a contact line, a web page's 来源/编辑/timestamp, a 令's signing line or a title
line; `cited` counts the numbered units (articles, parts, items) whose rendered citation resolves to a part
holding them, of all numbered units.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.dates import is_date_line  # noqa: E402
from indexer.layout import is_issuer_line  # noqa: E402
from indexer.pipeline import parse_files  # noqa: E402
from policy_search.catalog import Catalog  # noqa: E402
from policy_search.citations import find_citations  # noqa: E402
from policy_search.labels import PLACEHOLDER_RE  # noqa: E402
from policy_search.model import SEARCH_KINDS, citation_for  # noqa: E402
from policy_search.resolve import OK, CitationResolver  # noqa: E402

_NOT_A_CLAUSE = re.compile(
    r"^(?:[^。；，,]{1,40}[：:]|.{0,20}联系人[：:].*|[（(]?(?:来源|编辑)[：:].*|\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2})?"
    r"|附件\d*|[^。，]{0,12}长[\s\u3000]*[：:]?[\s\u3000]*\S{2,4}|[—―]{1,2}.{4,60}上)$"
)


def stray(text: str, titles: set[str]) -> bool:
    """A search unit that is no clause: the title again, a date, a name, an addressee, a contact or web line."""
    text = text.strip()
    return (bool(PLACEHOLDER_RE.match(text)) or is_date_line(text) or is_issuer_line(text)
            or bool(_NOT_A_CLAUSE.match(text)) or any(text and text in title for title in titles))


def check(folder: Path) -> list[dict]:
    result = parse_files(sorted(folder.glob("*.txt")))
    docs = result.documents
    resolver = CitationResolver(Catalog([d.meta for d in docs], [c for d in docs for c in d.clauses]))
    rows = []
    for doc in docs:
        meta = doc.meta
        titles = {meta.title, *getattr(meta, "also_titles", ())}
        units = [c for c in doc.clauses if c.kind in SEARCH_KINDS]
        numbered = cited = 0
        for clause in units:
            citation = citation_for(meta, clause).render()
            if "第" not in citation.removeprefix(f"《{meta.title}》"):
                continue
            numbered += 1
            found = [c for c in find_citations(citation) if not c.document_only]
            if not found:
                continue
            resolution = resolver.resolve(found[0])
            if resolution.status != OK or resolution.doc != resolver.index.doc_pos[meta.doc_id]:
                continue
            held = resolution.units or resolver.index.group_members[resolution.group]
            cited += resolver.index.clause_pos[clause.clause_id] in held or bool(clause.locator.article)
        rows.append({
            "file": meta.source, "title": meta.title, "doc_number": meta.doc_number, "issuer": meta.issuer,
            "date": meta.date, "doc_type": meta.doc_type, "units": len(units),
            "stray": [c.text for c in units if stray(c.text, titles)], "numbered": numbered, "cited": cited,
        })
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path, default=ROOT.parent / "shared" / "realdocs")
    parser.add_argument("--json", type=Path, help="write the rows here as well")
    args = parser.parse_args()
    if not args.folder.is_dir():
        print(f"{args.folder} is not here", file=sys.stderr)
        return 2
    rows = check(args.folder)
    print("| file | title | 文号 | issuer | date | type | units | stray | cited |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['file']} | {row['title']} | {row['doc_number'] or '—'} | {row['issuer'] or '—'} | {row['date'] or '—'} | "
              f"{row['doc_type']} | {row['units']} | {len(row['stray'])} | {row['cited']}/{row['numbered']} |")
    strays = sum(len(row["stray"]) for row in rows)
    print(f"\n{len(rows)} documents; stray units {strays}; numbered units cited back "
          f"{sum(r['cited'] for r in rows)}/{sum(r['numbered'] for r in rows)}")
    for row in rows:
        for text in row["stray"]:
            print(f"  stray in {row['file']}: {text[:60]}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
