"""References between the documents of the eco corpus: how many are found and resolved, and samples to check by hand.

    python scripts/basis_links.py [--index DIR] [--sample 30] [--seed 1]

Indexes ../shared/corpus/eco and the bundled corpus/ without vectors into var/eco-basis-index (about 30 s; the
references need none) unless --index names an index. Prints the explicit references found (citations of other
documents and 文号) and how many resolve to a document and to an article, 款 or 项; the repeal clauses; the
implicit upper-level links (restatements) and how many clauses of local and lower texts have one; then a seeded
random sample of article-level citations and of restatements, each with both texts, for checking by hand.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.build import build_index  # noqa: E402
from indexer.pipeline import discover, parse_files  # noqa: E402
from policy_search import store  # noqa: E402
from policy_search.authority import rests_on  # noqa: E402
from policy_search.model import CITES, REPEALS, RESTATES  # noqa: E402
from policy_search.resolve import ends_as_amendment  # noqa: E402

SHARED = ROOT.parent / "shared"


def ensure_index(out: Path) -> Path:
    if store.IndexStore(out).current() is None:
        files, _ = discover([SHARED / "corpus" / "eco", ROOT / "corpus"])
        result = parse_files(files)
        build_index(out, result.documents, read_sources=result.sources)
    return out


def eco_index(given: Path | None) -> Path | None:
    """The index a script was given, else the eco index (var/eco-basis-index, built when missing); None, said
    once, when neither is there."""
    if given is not None:
        return given
    if not (SHARED / "corpus" / "eco").is_dir():
        print(f"no eco corpus at {SHARED / 'corpus' / 'eco'}; nothing to measure (pass --index)")
        return None
    return ensure_index(ROOT / "var" / "eco-basis-index")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, default=None)
    parser.add_argument("--sample", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    args.index = eco_index(args.index)
    if args.index is None:
        return 0
    folder = store.IndexStore(args.index).require_current()
    documents = {d.doc_id: d for d in store.read_documents(folder)}
    clauses = {c.clause_id: c for c in store.read_clauses(folder)}
    references = store.read_references(folder)

    cites = [r for r in references if r.kind == CITES]
    named = [r for r in cites if not ends_as_amendment(r.text)]
    to_doc = [r for r in named if r.target_doc]
    with_place = [r for r in named if re.search(r"》第", r.text)]
    to_place = [r for r in with_place if r.target]
    print(f"index {folder.name}: {len(documents)} documents, {len(clauses)} units")
    print(f"explicit references: {len(cites)} ({len(cites) - len(named)} name an amending act: 关于修改…的决定)")
    print(f"  of the other {len(named)}: {len(to_doc)} resolve to an indexed document ({len(to_doc) / max(1, len(named)):.1%})")
    print(f"  naming an article: {len(with_place)}; resolved to the article: {len(to_place)} "
          f"({len(to_place) / max(1, len(with_place)):.1%}); to the document only: "
          f"{sum(1 for r in with_place if r.target_doc and not r.target)}")
    missing = Counter(r.text.split("》")[0] + "》" for r in named if not r.target_doc)
    print(f"  unresolved: {sum(missing.values())}, naming {len(missing)} texts not in the index; most cited: "
          + "、".join(f"{name}×{n}" for name, n in missing.most_common(5)))
    print(f"repeal clauses resolved: {sum(1 for r in references if r.kind == REPEALS)}; documents marked repealed: "
          f"{sum(1 for d in documents.values() if d.repealed_by)}")
    restates = [r for r in references if r.kind == RESTATES]
    lower = [c for c in clauses.values() if any(
        rests_on(other.doc_type, other.region, documents[c.doc_id].doc_type, documents[c.doc_id].region)
        for other in documents.values())]
    covered = {r.source for r in restates}
    print(f"implicit upper-level links (restatements): {len(restates)}, from {len(covered)} of {len(lower)} units of "
          f"texts with a text above them ({len(covered) / max(1, len(lower)):.1%})")

    rng = random.Random(args.seed)
    for title, pool in (("article-level citations", to_place), ("restatements", restates)):
        sample = rng.sample(pool, min(args.sample, len(pool)))
        print(f"\n== {len(sample)} {title}, seed {args.seed}")
        for n, reference in enumerate(sample, start=1):
            source, target = clauses[reference.source], clauses[reference.target]
            extra = f" similarity {reference.similarity}" if reference.similarity is not None else f" {reference.text}"
            print(f"{n:>2}.{extra}")
            print(f"    {documents[source.doc_id].title} {source.locator.article or ''}: {_short(source.text)}")
            print(f"    → {documents[target.doc_id].title}（{documents[target.doc_id].date}）{target.locator.article or ''}: "
                  f"{_short(target.text)}")
    return 0


def _short(text: str, limit: int = 110) -> str:
    text = text.replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "")


if __name__ == "__main__":
    raise SystemExit(main())
