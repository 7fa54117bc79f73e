"""Reading citations out of queries: 《X》第N条, X第N条第M款, 环保法第59条, with short-title aliases."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from policy_search.numerals import CHINESE_NUMERAL_CHARS, int_to_chinese, numeral_value
from policy_search.text import fold

_N = CHINESE_NUMERAL_CHARS
# 文号: 川办发〔2023〕12号, 环发[2019]3号 (the year in any of the brackets sources use)
DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fa5]{1,12}[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*\d{1,4}\s*号")
CITATION_RE = re.compile(
    rf"(?:(?P<number>{DOC_NUMBER_RE.pattern})|《(?P<quoted>(?:[^《》]|《[^《》]*》){{2,100}})》|(?P<bare>[\u4e00-\u9fff（）()、]{{2,60}}?))"
    rf"\s*(?:[（(](?P<note>[^（）()]{{2,30}})[)）])?\s*"  # 《X》（示办发〔2023〕12号）第三条, 《X》(2018年修正)第五条
    rf"(?:附件\s*(?P<attachment>[{_N}\d]{{1,3}})\s*)?"  # 《X》附件1第一部分: a part of an attachment
    rf"第\s*(?P<article>[{_N}\d]+)\s*(?P<unit>条|部分)(?:之(?P<sub>[{_N}]+))?"
    rf"(?:\s*第\s*(?P<paragraph>[{_N}\d]+)\s*款)?"
    rf"(?:\s*第?\s*[（(]?(?P<item>[{_N}\d]+)[)）]?\s*项)?"
)
# a measure cited by its number alone where measures are numbered straight across the parts: 《X》第（二十九）项
ITEM_CITATION_RE = re.compile(
    rf"(?:(?P<number>{DOC_NUMBER_RE.pattern})|《(?P<quoted>(?:[^《》]|《[^《》]*》){{2,100}})》"
    rf"|(?<![第{_N}\d])(?P<bare>(?:(?!第)[\u4e00-\u9fff、]){{2,60}}?)(?<![条款]))"  # 第三条第（二）项 names no text
    rf"\s*(?:[（(][^（）()]{{2,30}}[)）])?\s*第\s*[（(](?P<item>[{_N}\d]+)[)）]\s*项"
)
# words that may stand before a 文号 and are not part of it
_LEADING = re.compile(r"^(?:根据|依据|依照|按照|参照|对照|落实|执行|贯彻|印发|转发|见|据|按|依)*")
_QUOTED_RE = re.compile(r"《(?P<quoted>(?:[^《》]|《[^《》]*》){2,100})》")
# References in documents: a 《title》 (which may quote another: 《上海市实施〈中华人民共和国水法〉办法》, or with
# 《》 inside as some sources write it), a
# note in brackets (文号, version, 以下简称) and a run of places: 第十条第二款、第三款和第十二条第（一）项
_NUM = rf"[{_N}\d]+"
TITLE = r"《((?:[^《》〈〉\n]|〈[^〈〉《》\n]*〉|《[^《》\n]*》){2,100})》"
_ARTICLE_RUN = rf"第{_NUM}(?:条|部分)(?:之[{_N}]+)?(?:第{_NUM}款)?(?:第?[（(]{_NUM}[)）]项)?"
_REFERENCE = re.compile(
    TITLE + r"(?:[（(](?P<note>[^（）()《》]{1,40})[)）])?"
    rf"(?P<articles>{_ARTICLE_RUN}(?:(?:[、，,]|和|及|或者|或|与|至)(?:{_ARTICLE_RUN}|第{_NUM}款(?:第?[（(]{_NUM}[)）]项)?|第?[（(]{_NUM}[)）]项))*)?"
)
_PIECE = re.compile(rf"第({_NUM})(?:条|(?P<part>部分))(?:之([{_N}]+))?|第({_NUM})款|第?[（(]({_NUM})[)）]项")



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
    unit: str = "条"  # 条 or 部分, as typed; 项 for a measure cited by its number alone (article holds 第（N）项)
    doc_number: str | None = None  # a 文号 naming the document
    text: str = ""  # the citation as typed
    attachment: int | None = None  # 附件1 of 《X》附件1第一部分
    year: int | None = None  # the version asked for: 《X》（2018年修正）, 2023年X

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
        number, paragraph, item = (
            numeral_value(match.group(name)) if match.group(name) else None for name in ("article", "paragraph", "item")
        )
        if number is None or (match.group("paragraph") and paragraph is None) or (match.group("item") and item is None):
            continue  # 第十十条, or more than 16 digits: not a number, so not a citation
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
                paragraph=paragraph,
                item=item,
                span=match.span(),
                unit=unit,
                doc_number=doc_number,
                text=match.group(0).strip(),
                attachment=numeral_value(match.group("attachment")) if match.group("attachment") else None,
                year=_version_year(query, match),
            )
        )
        taken.append(match.span())
    for match in ITEM_CITATION_RE.finditer(query):
        item = numeral_value(match.group("item"))
        if item is None or any(start < match.end() and match.start() < end for start, end in taken):
            continue
        if match.group("quoted"):
            names = (match.group("quoted").strip(),)
        elif match.group("bare"):
            bare = match.group("bare")
            names = tuple(bare[i:] for i in range(len(bare) - 1))
        else:
            names = ()
        found.append(CitationQuery(
            names=names, article=f"第（{int_to_chinese(item)}）项", article_number=None, paragraph=None, item=item,
            span=match.span(), unit="项", doc_number=doc_number_key(match.group("number")) if match.group("number") else None,
            text=match.group(0).strip(),
        ))
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


_NOTE_YEAR = re.compile(r"^((?:19|20)\d{2})\s*年?\s*(?:修正|修订|修改|版|本|公布|发布|颁布|施行)?(?:本)?$")
_YEAR_BEFORE = re.compile(r"((?:19|20)\d{2})\s*$")


def _version_year(query: str, match: re.Match) -> int | None:
    """The year of the version a citation names: in brackets after the name (《X》（2018年修正）), or before a name
    typed without 《》 (2023年X第十一条: the bare name then starts at 年)."""
    note = match.group("note")
    if note:
        found = _NOTE_YEAR.match(note.strip())
        return int(found.group(1)) if found else None
    bare = match.group("bare")
    if bare and bare.startswith("年"):
        found = _YEAR_BEFORE.search(query[: match.start("bare")])
        return int(found.group(1)) if found else None
    return None


def doc_number_key(doc_number: str) -> str:
    """A 文号 as compared: no spaces, one kind of bracket (〔〕)."""
    text = re.sub(r"\s+", "", doc_number)
    return re.sub(r"[\[［【(（]", "〔", re.sub(r"[\]］】)）]", "〕", text))


@dataclass(frozen=True)
class Mention:
    """A reference as read from a text, before it is resolved: one place (article, 款, 项) or a document."""

    title: str | None
    doc_number: str | None
    note: str | None  # what stood in brackets after the title: a 文号, a version (2017年修正), 以下简称…
    article: int | None
    sub: str | None  # 之二
    paragraph: int | None
    item: int | None
    text: str  # the citation in full: 《X》第八十三条第二款, also for the second place of a run
    start: int = 0  # where it stands in the text (for a later place of a run: that place alone)
    end: int = 0
    after: int = 0  # where the whole reference (title and run) ends
    unit: str = "条"  # 条, or 部分 for a numbered part of a text without articles

    @property
    def label(self) -> str | None:
        """第五十九条, 第二部分, 第十条之一; None for a document named alone."""
        if self.article is None:
            return None
        return f"第{int_to_chinese(self.article)}{self.unit}" + (f"之{self.sub}" if self.sub else "")


def mentions(text: str) -> list[Mention]:
    """Every 《title》 (with the articles, 款 and 项 named after it) and every 文号 outside one, in order."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []
    for match in _REFERENCE.finditer(text):
        taken.append(match.span())
        title, note = match.group(1).strip(), match.group("note")
        number = doc_number_key(note) if note and DOC_NUMBER_RE.fullmatch(note.strip()) else None
        run_at = match.start("articles") if match.group("articles") else match.end()
        pieces = list(_articles(match.group("articles") or ""))
        if not pieces:
            found.append(Mention(title, number, note, None, None, None, None, match.group(0), *match.span(), match.end()))
        for n, (article, sub, paragraph, item, written, start, end, unit) in enumerate(pieces):
            found.append(Mention(title, number, note, article, sub, paragraph, item, f"《{title}》{written}",
                                 match.start() if n == 0 else run_at + start, run_at + end, match.end(), unit))
    for match in DOC_NUMBER_RE.finditer(text):
        if not any(start <= match.start() < end for start, end in taken):
            start = match.start() + len(_LEADING.match(match.group(0)).group(0))
            found.append(Mention(None, doc_number_key(text[start : match.end()]), None, None, None, None, None,
                                 text[start : match.end()], start, match.end(), match.end()))
    return sorted(found, key=lambda m: m.start)


def _articles(run: str):
    """(article, 之N, 款, 项, as written, start, end, 条 or 部分) for each place a run like 第十条第二款、第三款和第十二条 names."""
    article = sub = paragraph = None
    written = ""
    pending = False
    start = end = 0
    unit = "条"
    for piece in _PIECE.finditer(run):
        if piece.group(1) or article is not None:
            number = numeral_value(piece.group(1) or piece.group(4) or piece.group(5))
            if number is None:  # 第十十条, or more than 16 digits: the run names no place from here to its next article
                if pending:
                    yield article, sub, paragraph, None, written, start, end, unit
                article, pending = None, False
                continue
        if piece.group(1):
            if pending:
                yield article, sub, paragraph, None, written, start, end, unit
            article, sub, paragraph = number, piece.group(3), None
            unit = "部分" if piece.group("part") else "条"
            written, pending, start = piece.group(0), True, piece.start()
        elif piece.group(4) and article is not None:
            if pending and paragraph is not None:
                yield article, sub, paragraph, None, written, start, end, unit
                start = piece.start()
            paragraph = number
            written, pending = f"第{int_to_chinese(article)}{unit}" + (f"之{sub}" if sub else "") + f"第{int_to_chinese(paragraph)}款", True
        elif piece.group(5) and article is not None:
            head = f"第{int_to_chinese(article)}{unit}" + (f"之{sub}" if sub else "")
            head += f"第{int_to_chinese(paragraph)}款" if paragraph else ""
            yield article, sub, paragraph, number, f"{head}第（{int_to_chinese(number)}）项", start if pending else piece.start(), piece.end(), unit
            pending = False
        end = piece.end()
    if pending:
        yield article, sub, paragraph, None, written, start, end, unit
