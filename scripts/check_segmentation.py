"""Check article segmentation against the sources: counts per manifest, and label + text of every article.

    python scripts/check_segmentation.py [--corpus ../shared/corpus/eco] [--formats ../shared/corpus/formats]

For each document of the manifest, the article units must number the manifest's `articles`, and each
article's label and text (parts of a split article rejoined) must equal the source's lines. For each
.docx/.pdf in the formats folder, the articles must equal those of its .txt twin, whitespace removed.
Exits non-zero on any difference.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from indexer.pipeline import parse_files  # noqa: E402

SOURCE_ARTICLE = re.compile(r"^(第[零〇一二三四五六七八九十百千]+条)[\u3000 ]+(.*)$")
SOURCE_BREAK = re.compile(r"^(第[零〇一二三四五六七八九十百千]+[编章节]|附件|附表|附录|附[：:]|附[\u3000 ]*则[\u3000 ]*$)")


def source_articles(path: Path) -> list[tuple[str, str]]:
    """Articles read straight off a plain-text source: (label, body with whitespace removed)."""
    articles: list[tuple[str, list[str]]] = []
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        match = SOURCE_ARTICLE.match(line)
        if match:
            current = (match.group(1), [match.group(2)])
            articles.append(current)
        elif SOURCE_BREAK.match(line):
            current = None
        elif line and current is not None:
            current[1].append(line)
    return [(label, _squeeze("".join(lines))) for label, lines in articles]


def indexed_articles(path: Path) -> list[tuple[str, str]]:
    """Articles as the indexer gives them: parts of a split article joined back together."""
    result = parse_files([path])
    if result.failures:
        raise SystemExit(f"{path.name}: {result.failures[0].reason}")
    articles: list[tuple[str, str]] = []
    for doc in result.documents:
        for clause in doc.clauses:
            if not clause.locator.article:
                continue
            if clause.locator.part == 1:
                articles.append((clause.locator.article, ""))
            label, text = articles[-1]
            articles[-1] = (label, text + _squeeze(clause.text))
    return articles


def _squeeze(text: str) -> str:
    """Whitespace and zero-width characters removed."""
    return re.sub(r"[\s\u200b\ufeff]+", "", text)


def compare(name: str, got: list[tuple[str, str]], want: list[tuple[str, str]]) -> list[str]:
    problems = []
    if len(got) != len(want):
        problems.append(f"{name}: {len(got)} articles, expected {len(want)}")
    for (g_label, g_text), (w_label, w_text) in zip(got, want):
        if g_label != w_label or g_text != w_text:
            problems.append(f"{name}: {g_label} differs from source {w_label}")
            break
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "eco")
    parser.add_argument("--formats", type=Path, default=ROOT.parent / "shared" / "corpus" / "formats")
    args = parser.parse_args()
    if not (args.corpus / "manifest.jsonl").is_file():
        print(f"no manifest at {args.corpus}; nothing to check")
        return 0
    problems: list[str] = []
    manifest = [json.loads(line) for line in (args.corpus / "manifest.jsonl").read_text(encoding="utf-8").splitlines()]
    total = 0
    for row in manifest:
        path = args.corpus / row["file"]
        got = indexed_articles(path)
        total += len(got)
        if len(got) != row["articles"]:
            problems.append(f"{row['file']}: {len(got)} articles, manifest says {row['articles']}")
        problems += compare(row["file"], got, source_articles(path))
    print(f"eco: {len(manifest)} documents, {total} articles (manifest: {sum(r['articles'] for r in manifest)})")
    checked = 0
    for twin in sorted(args.formats.glob("*.docx")) + sorted(args.formats.glob("*.pdf")) if args.formats.is_dir() else []:
        problems += compare(twin.name, indexed_articles(twin), indexed_articles(args.corpus / (twin.stem + ".txt")))
        checked += 1
    print(f"formats: {checked} files compared with their .txt twins")
    for problem in problems:
        print("  " + problem)
    print("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
