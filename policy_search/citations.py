"""Reading citations out of queries: 《X》第N条, X第N条第M款, 环保法第59条, with short-title aliases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from policy_search.numerals import CHINESE_NUMERAL_CHARS, chinese_to_int, int_to_chinese
from policy_search.text import fold

_N = CHINESE_NUMERAL_CHARS
CITATION_RE = re.compile(
    rf"(?:《(?P<quoted>[^《》]{{2,60}})》|(?P<bare>[\u4e00-\u9fff（）()、]{{2,60}}?))\s*"
    rf"第\s*(?P<article>[{_N}\d]+)\s*条(?:之(?P<sub>[{_N}]+))?"
    rf"(?:\s*第\s*(?P<paragraph>[{_N}\d]+)\s*款)?"
    rf"(?:\s*第?\s*[（(]?(?P<item>[{_N}\d]+)[)）]?\s*项)?"
)


@dataclass(frozen=True)
class CitationQuery:
    """A citation found in a query: the name as typed (or its candidates) and the article it points to."""

    names: tuple[str, ...]  # candidate document names, longest first (a bare name may carry leading words)
    article: str  # canonical label, e.g. 第五十九条
    article_number: int
    paragraph: int | None
    item: int | None
    span: tuple[int, int]  # where the citation stands in the query


def load_aliases() -> dict[str, str]:
    text = (resources.files("policy_search") / "data" / "aliases.tsv").read_text(encoding="utf-8")
    aliases = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            short, full = line.split("\t")
            aliases[fold(short.strip())] = fold(full.strip())
    return aliases


def find_citations(query: str) -> list[CitationQuery]:
    """Every citation-shaped phrase in the query, in order."""
    found = []
    for match in CITATION_RE.finditer(query):
        number = chinese_to_int(match.group("article"))
        label = f"第{int_to_chinese(number)}条" + (f"之{match.group('sub')}" if match.group("sub") else "")
        if match.group("quoted"):
            names = (match.group("quoted").strip(),)
        else:
            bare = match.group("bare")
            names = tuple(bare[i:] for i in range(len(bare) - 1))  # 根据环保法 → 根据环保法, 据环保法, 环保法 …
        found.append(
            CitationQuery(
                names=names,
                article=label,
                article_number=number,
                paragraph=chinese_to_int(match.group("paragraph")) if match.group("paragraph") else None,
                item=chinese_to_int(match.group("item")) if match.group("item") else None,
                span=match.span(),
            )
        )
    return found
