"""Reading citations out of queries: 《X》第N条, X第N条第M款, 环保法第59条, with short-title aliases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from policy_search.numerals import CHINESE_NUMERAL_CHARS, chinese_to_int, int_to_chinese
from policy_search.text import fold

_N = CHINESE_NUMERAL_CHARS
# 文号: 川办发〔2023〕12号, 环发[2019]3号 (the year in any of the brackets sources use)
DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fa5]{1,12}[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*\d{1,4}\s*号")
CITATION_RE = re.compile(
    rf"(?:(?P<number>{DOC_NUMBER_RE.pattern})|《(?P<quoted>[^《》]{{2,60}})》|(?P<bare>[\u4e00-\u9fff（）()、]{{2,60}}?))"
    rf"\s*(?:[（(][^（）()]{{2,30}}[)）])?\s*"  # 《X》（示办发〔2023〕12号）第三条, 《X》(2018年修正)第五条
    rf"第\s*(?P<article>[{_N}\d]+)\s*(?P<unit>条|部分)(?:之(?P<sub>[{_N}]+))?"
    rf"(?:\s*第\s*(?P<paragraph>[{_N}\d]+)\s*款)?"
    rf"(?:\s*第?\s*[（(]?(?P<item>[{_N}\d]+)[)）]?\s*项)?"
)
_QUOTED_RE = re.compile(r"《(?P<quoted>[^《》]{2,60})》")


@dataclass(frozen=True)
class CitationQuery:
    """A citation found in a query: the document as typed (or its candidate names, or its 文号) and the
    article or numbered part it points to; a document named alone has no article."""

    names: tuple[str, ...]  # candidate document names, longest first (a bare name may carry leading words)
    article: str | None  # canonical label, e.g. 第五十九条 or 第二部分; None for a document named alone
    article_number: int | None
    paragraph: int | None
    item: int | None
    span: tuple[int, int]  # where the citation stands in the query
    unit: str = "条"  # 条 or 部分, as typed
    doc_number: str | None = None  # a 文号 naming the document
    text: str = ""  # the citation as typed

    @property
    def document_only(self) -> bool:
        return self.article is None


def load_aliases() -> dict[str, str]:
    text = (resources.files("policy_search") / "data" / "aliases.tsv").read_text(encoding="utf-8")
    aliases = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            short, full = line.split("\t")
            aliases[fold(short.strip())] = fold(full.strip())
    return aliases


def find_citations(query: str) -> list[CitationQuery]:
    """Every citation-shaped phrase in the query, in order: articles and parts, then 文号 and 《titles》 alone."""
    found = []
    taken: list[tuple[int, int]] = []
    for match in CITATION_RE.finditer(query):
        number = chinese_to_int(match.group("article"))
        unit = match.group("unit")
        label = f"第{int_to_chinese(number)}{unit}" + (f"之{match.group('sub')}" if match.group("sub") else "")
        doc_number = doc_number_key(match.group("number")) if match.group("number") else None
        if match.group("quoted"):
            names = (match.group("quoted").strip(),)
        elif match.group("bare"):
            bare = match.group("bare")
            names = tuple(bare[i:] for i in range(len(bare) - 1))  # 根据环保法 → 根据环保法, 据环保法, 环保法 …
        else:
            names = ()
        found.append(
            CitationQuery(
                names=names,
                article=label,
                article_number=number,
                paragraph=chinese_to_int(match.group("paragraph")) if match.group("paragraph") else None,
                item=chinese_to_int(match.group("item")) if match.group("item") else None,
                span=match.span(),
                unit=unit,
                doc_number=doc_number,
                text=match.group(0).strip(),
            )
        )
        taken.append(match.span())
    for pattern, group in ((DOC_NUMBER_RE, 0), (_QUOTED_RE, "quoted")):
        for match in pattern.finditer(query):
            if any(start <= match.start() < end for start, end in taken):
                continue
            taken.append(match.span())
            is_number = pattern is DOC_NUMBER_RE
            found.append(
                CitationQuery(
                    names=() if is_number else (match.group(group).strip(),),
                    article=None,
                    article_number=None,
                    paragraph=None,
                    item=None,
                    span=match.span(),
                    doc_number=doc_number_key(match.group(0)) if is_number else None,
                    text=match.group(0),
                )
            )
    return sorted(found, key=lambda c: c.span)


def doc_number_key(doc_number: str) -> str:
    """A 文号 as compared: no spaces, one kind of bracket (〔〕)."""
    text = re.sub(r"\s+", "", doc_number)
    return re.sub(r"[\[［【(（]", "〔", re.sub(r"[\]］】)）]", "〕", text))
