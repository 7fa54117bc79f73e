"""Citations in a query resolved against the index: the document, the article or numbered part, the 款/项,
and, when something is not there, what is missing, said plainly instead of answered with unrelated hits.

Documents are found by 文号, by their title or a short form of it (an alias, the title without 中华人民共和国
or without its place, a title ending with what was typed, or an abbreviation whose characters appear in the
title in order and which ends with the same kind of document: 《督察整改销号办法》). A short form must name
one document; one that fits several is reported with the candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from policy_search.catalog import Catalog
from policy_search.citations import CitationQuery, doc_number_key, load_aliases
from policy_search.model import Citation
from policy_search.numerals import int_to_chinese
from policy_search.places import without_place
from policy_search.text import compact, fold
from policy_search.tokenize import TITLE_PREFIX, short_titles

_KIND_WORDS = ("实施细则", "实施办法", "实施意见", "办法", "措施", "条例", "规定", "细则", "规则", "意见", "方案", "通知",
               "决定", "规划", "纲要", "计划", "解释", "讲话", "函", "法典", "法")
OK = "ok"
_ABOUT = re.compile(r"关于(.{4,})$")
# a judicial interpretation is cited by the kind of case it is about: 关于办理X刑事案件适用法律若干问题的解释
_CASES = re.compile(r"关于(?:办理|审理)(.{2,16}?)((?:刑事|民事|行政|公益诉讼)?)案件(?:适用法律)?若干问题的解释$")
_LEADING_WORDS = re.compile(r"^(?:根据|依据|依照|按照|违反|参照|对照|落实|执行|贯彻|查询|查找|请问|关于|适用|引用)")


@dataclass
class Resolution:
    """What one citation in a query points to, or why it points to nothing."""

    citation: CitationQuery
    status: str  # ok, document_not_found, ambiguous, article_not_found, paragraph_not_found, item_not_found
    doc: int | None = None  # document position
    group: int | None = None  # the article group (or the unit group of a numbered part) to show first
    position: int | None = None  # the unit within that group that holds the cited 款/项
    units: list[int] = field(default_factory=list)  # every unit of a cited numbered part, in order
    depth: int = 0  # numbered levels cited in a document without articles: 第三条 1, 第三条第（二）项 2
    message: str = ""
    suggestions: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        """The document and its article or part exist (the 款/项 may not)."""
        return self.group is not None or (self.citation.document_only and self.doc is not None)

    def to_json(self, index: Catalog) -> dict[str, Any]:
        meta = index.documents[self.doc] if self.doc is not None else None
        data: dict[str, Any] = {"text": self.citation.text, "status": self.status, "doc_id": meta.doc_id if meta else None,
                                "title": meta.title if meta else None}
        if self.message:
            data["message"] = self.message
        if self.suggestions:
            data["suggestions"] = self.suggestions
        return data


class CitationResolver:
    """Documents by name and 文号, and articles, parts, 款 and 项 inside them."""

    def __init__(self, index: Catalog) -> None:
        self.index = index
        self.aliases = load_aliases()
        self.titles: dict[str, list[int]] = {}
        self.numbers: dict[str, list[int]] = {}
        self._names: list[tuple[str, int]] = []  # every (name, doc) for ending and abbreviation matches
        self._by_kind: dict[str | None, list[tuple[str, int]]] = {}  # the same, by the kind of document a name ends as
        for pos, meta in enumerate(index.documents):
            names = set(short_titles(meta.title)) | {compact(meta.title)}
            for other in meta.also_titles:  # the 印发 notice carrying it, a report with its place and year
                names |= set(short_titles(other)) | {compact(other)}
            official = _ABOUT.search(compact(meta.title))  # X关于Y的意见 is also cited as 《关于Y的意见》, 《Y的意见》
            if official:
                names |= {official.group(0), official.group(1)}
            cases = _CASES.search(compact(meta.title))  # 关于办理环境污染刑事案件适用法律若干问题的解释: 环境污染刑事案件解释, 环境污染解释
            if cases:
                names |= {cases.group(1) + "解释", cases.group(1) + cases.group(2) + "案件解释"}
            names |= {without_place(name) for name in names if len(without_place(name)) >= 4}
            for name in names:
                self.titles.setdefault(name, []).append(pos)
                self._names.append((name, pos))
                self._by_kind.setdefault(_kind_word(name), []).append((name, pos))
            if meta.doc_number:
                self.numbers.setdefault(doc_number_key(fold(meta.doc_number)), []).append(pos)

    # -- documents -------------------------------------------------------------------------------------

    def documents(
        self, citation: CitationQuery, allowed: np.ndarray | None, exact: bool = False
    ) -> tuple[list[int], list[int]]:
        """(the documents meant, best first; the candidates when a short form fits several documents).

        A full title (中华人民共和国…) resolves only to that title, and with `exact` (a repeal) any name
        does: its title, the title without 中华人民共和国, or a short form the aliases list. A text that
        is not indexed then stays unknown rather than resolving to a title that merely ends the same way.
        """
        if citation.doc_number:
            key = doc_number_key(fold(citation.doc_number))
            for start in range(max(1, key.find("〔"))):  # 根据川办发〔2023〕12号: try without leading words
                if key[start:] in self.numbers:
                    return self.prefer(self.numbers[key[start:]], allowed), []
            if not citation.names:
                return [], []
        keys = [fold(name).replace(" ", "") for name in citation.names]
        for key in keys:
            key = self.aliases.get(key, key)
            exact = self.titles.get(key) or self.titles.get(fold(TITLE_PREFIX) + key)
            if exact:
                return self.prefer(exact, allowed), []
        if exact:
            return [], []
        quoted = len(citation.names) == 1
        for matches in (_ends_with, _abbreviates):
            for key in keys:
                if len(key) < 3 or (matches is _abbreviates and not quoted and len(key) < 4) or key.startswith(fold(TITLE_PREFIX)):
                    continue
                kind = _kind_word(key)
                names = self._names if matches is _ends_with else self._by_kind.get(kind, []) if kind else []
                found = {pos for name, pos in names if matches(name, key, quoted)}
                if found:
                    return self._unique(found, allowed)
        return [], []

    def _unique(self, found: set[int], allowed: np.ndarray | None) -> tuple[list[int], list[int]]:
        """A short form resolves where it names one document (any of its versions), or one national text
        among local ones; otherwise it is ambiguous."""
        ordered = self.prefer(list(found), allowed)
        docs = self.index.documents
        keys = {docs[pos].version_key for pos in ordered}
        best = docs[ordered[0]]
        others_local = all(docs[pos].region not in (None, "全国") for pos in ordered if docs[pos].version_key != best.version_key)
        if len(keys) == 1 or (best.region == "全国" and others_local):
            return [pos for pos in ordered if docs[pos].version_key == best.version_key], []
        return [], ordered

    def of_year(self, positions: list[int], year: int | None) -> list[int]:
        """The version of the year a citation names first (《X》（2018年修正）): the one dated that year, else the
        one in force in it (the newest dated no later)."""
        if year is None or len(positions) < 2:
            return positions
        dated = [(int(self.index.documents[pos].date[:4]), pos) for pos in positions if self.index.documents[pos].date]
        same = [pos for y, pos in dated if y == year]
        earlier = sorted(((y, pos) for y, pos in dated if y < year), reverse=True)
        first = same or [pos for _, pos in earlier[:1]]
        return first + [pos for pos in positions if pos not in first]

    def prefer(self, positions: list[int], allowed: np.ndarray | None) -> list[int]:
        """Admitted by the filters, current, national, shortest title, newest first."""
        docs = self.index.documents

        def rank(pos: int) -> tuple:
            meta = docs[pos]
            return (
                allowed is not None and not allowed[pos],
                meta.superseded,
                meta.region != "全国",
                len(meta.title),
                "" if meta.date is None else "".join(chr(255 - ord(c)) for c in meta.date),  # newest first
            )

        return sorted(set(positions), key=rank)

    # -- articles and parts ----------------------------------------------------------------------------

    def resolve(self, citation: CitationQuery, allowed: np.ndarray | None = None) -> Resolution:
        docs, candidates = self.documents(citation, allowed)
        docs = self.of_year(docs, citation.year)
        index = self.index
        if candidates:
            titles = [index.documents[pos].title for pos in candidates[:5]]
            return Resolution(citation, "ambiguous", message=f"“{_typed(citation)}”可指多个文件：" + "、".join(f"《{t}》" for t in titles)
                              + "，请写出全称", suggestions=titles)
        if not docs:
            return Resolution(citation, "document_not_found", message=f"索引中没有{_typed_document(citation)}",
                              suggestions=self.similar_titles(_typed(citation)))
        if citation.document_only:
            return Resolution(citation, OK, doc=docs[0])
        first = None
        for doc in docs:  # the best version that has the article
            found = self.in_document(citation, doc)
            if found.status != "article_not_found":
                return found
            first = first or found
        return first

    def in_document(self, citation: CitationQuery, doc: int) -> Resolution:
        meta = self.index.documents[doc]
        if meta.part_label:
            return self._in_parts(citation, doc)
        if citation.attachment:  # the articles are the document's own, never an attachment's
            return Resolution(citation, "article_not_found", doc=doc, message=f"《{meta.title}》附件{citation.attachment}不分部分")
        if citation.unit == "项":
            return Resolution(citation, "article_not_found", doc=doc,
                              message=f"《{meta.title}》的项须写明所在条，如第某条{citation.article}")
        index = self.index
        group = index.articles.get((doc, citation.article)) if citation.unit == "条" else None
        if group is None:
            labels = [label for (pos, label) in index.articles if pos == doc]
            return Resolution(citation, "article_not_found", doc=doc,
                              message=f"《{meta.title}》没有{citation.article}（共{len(labels)}条）",
                              suggestions=self._nearby_articles(doc, labels, citation.article_number or 0))
        members = index.group_members[group]
        first = index.clauses[members[0]].locator
        resolution = Resolution(citation, OK, doc=doc, group=group, position=members[0])
        cited = f"《{meta.title}》{citation.article}"
        if citation.paragraph and citation.paragraph > first.paragraph_count:
            resolution.status = "paragraph_not_found"
            resolution.message = (f"{cited}只有{_how_many(first.paragraph_count)}款" if first.paragraph_count > 1
                                  else f"{cited}不分款")
            resolution.suggestions = [Citation(meta.title, citation.article).render()]
            return resolution
        if citation.paragraph:
            resolution.position = next(
                (m for m in members if _holds_paragraph(index.clauses[m].locator, citation.paragraph)), members[0]
            )
        if citation.item:
            holders = [
                m for m in members for item in index.clauses[m].locator.items
                if item.level == 1 and item.number == citation.item
                and (citation.paragraph is None or item.paragraph == citation.paragraph)
            ]
            if not holders:
                where = f"第{int_to_chinese(citation.paragraph)}款" if citation.paragraph else ""
                resolution.status = "item_not_found"
                resolution.message = f"{cited}{where}没有第（{int_to_chinese(citation.item)}）项"
                resolution.suggestions = [Citation(meta.title, citation.article, citation.paragraph if first.paragraph_count > 1 else None).render()]
                return resolution
            resolution.position = holders[0]
        return resolution

    def _in_parts(self, citation: CitationQuery, doc: int) -> Resolution:
        """第三条 / 第二部分 (and 第（二）项 under it) in a document whose numbered headings are its parts."""
        index = self.index
        meta = index.documents[doc]
        if citation.unit == "项":
            return self._item_alone(citation, doc)
        number = citation.article_number or 0
        within = (-citation.attachment,) if citation.attachment else ()  # parts of 附件N are keyed after -N
        units = index.parts.get((doc, (*within, number)))
        if units is None:
            tops = sorted({key[1][len(within)] for key in index.parts if key[0] == doc and len(key[1]) == len(within) + 1
                           and key[1][:len(within)] == within and key[1][len(within)] > 0})
            where = f"《{meta.title}》" + (f"附件{citation.attachment}" if within else "")
            attachment = (f"附件{citation.attachment}",) if within else ()
            return Resolution(citation, "article_not_found", doc=doc,
                              message=f"{where}没有第{int_to_chinese(number)}{meta.part_label}（共{len(tops)}{_count_word(meta.part_label)}）",
                              suggestions=[Citation(meta.title, path=(*attachment, f"{int_to_chinese(n)}、"), part_label=meta.part_label).render()
                                           for n in sorted(tops, key=lambda n: abs(n - number))[:5]])
        resolution = Resolution(citation, OK, doc=doc, depth=1)
        if citation.item:
            sub = index.parts.get((doc, (*within, number, citation.item)))
            if sub is None:
                resolution.status = "item_not_found"
                resolution.message = f"{_part(meta, number)}没有第（{int_to_chinese(citation.item)}）项"
                resolution.suggestions = [_part(meta, number)]
            else:
                units, resolution.depth = sub, 2
        if citation.paragraph:
            resolution.status = "paragraph_not_found"
            resolution.message = f"{_part(meta, number)}不分款"
            resolution.suggestions = [_part(meta, number)]
        resolution.units = units
        searchable = [u for u in units if index.searchable[u]] or units
        resolution.position = searchable[0]
        resolution.group = int(index.group_of[searchable[0]])
        return resolution

    def _item_alone(self, citation: CitationQuery, doc: int) -> Resolution:
        """第（二十九）项 with no part named: found where one part holds that item, as where measures are numbered
        straight across the parts; refused, naming the parts, where several do."""
        index = self.index
        meta = index.documents[doc]
        keys = sorted(key for key in index.parts if key[0] == doc and len(key[1]) == 2 and key[1][0] > 0 and key[1][1] == citation.item)
        cited = [_part(meta, key[1][0]) + f"第（{int_to_chinese(citation.item)}）项" for key in keys]
        if len(keys) != 1:
            message = (f"《{meta.title}》有{len(keys)}个{citation.article}，请写明所在部分" if keys
                       else f"《{meta.title}》没有{citation.article}")
            return Resolution(citation, "item_not_found", doc=doc, message=message, suggestions=cited[:5])
        units = index.parts[keys[0]]
        searchable = [u for u in units if index.searchable[u]] or units
        return Resolution(citation, OK, doc=doc, group=int(index.group_of[searchable[0]]), position=searchable[0],
                          units=units, depth=2)

    def _nearby_articles(self, doc: int, labels: list[str], number: int) -> list[str]:
        index = self.index
        title = index.documents[doc].title

        def article_number(label: str) -> int:
            group = index.articles[(doc, label)]
            return index.clauses[index.group_members[group][0]].locator.article_number or 0

        return [Citation(title, label).render() for label in sorted(labels, key=lambda lb: abs(article_number(lb) - number))[:5]]

    def similar_titles(self, name: str, limit: int = 5) -> list[str]:
        """Current titles sharing the most character bigrams with what was typed."""
        grams = {name[i : i + 2] for i in range(len(name) - 1)}
        scored = []
        for meta in self.index.documents:
            if meta.superseded:
                continue
            title = fold(meta.title)
            overlap = sum(1 for g in grams if g in title)
            if overlap:
                scored.append((-overlap, len(title), meta.title))
        return [title for _, _, title in sorted(scored)[:limit]]


def _how_many(count: int) -> str:
    """A count as written in prose: 两款, not 二款."""
    return "两" if count == 2 else int_to_chinese(count)


def _holds_paragraph(locator, paragraph: int) -> bool:
    return locator.first_paragraph <= paragraph < locator.first_paragraph + max(1, len(locator.paragraphs))


def _part(meta, number: int) -> str:
    return f"《{meta.title}》第{int_to_chinese(number)}{meta.part_label}"


def _count_word(part_label: str) -> str:
    return "条" if part_label == "条" else "个部分"


def _typed(citation: CitationQuery) -> str:
    """The document name as the person wrote it, without a leading 根据/违反-style word."""
    if not citation.names:
        return citation.doc_number or ""
    return _LEADING_WORDS.sub("", citation.names[0]) or citation.names[0]


def _typed_document(citation: CitationQuery) -> str:
    if citation.doc_number and not citation.names:
        return f"文号为{_LEADING_WORDS.sub('', citation.doc_number)}的文件"
    return f"与“{_typed(citation)}”对应的文件"


def _kind_word(name: str) -> str | None:
    return next((word for word in _KIND_WORDS if name.endswith(word)), None)


def _ends_with(title: str, key: str, quoted: bool) -> bool:
    return title.endswith(key) and title != key and not _other_law(title, key)


def _abbreviates(title: str, key: str, quoted: bool) -> bool:
    """The typed characters appear in the title in order (the caller asks only titles ending as the same kind
    of document); a name typed without 《》 must also start as the title does."""
    if len(key) >= len(title) or _other_law(title, key):
        return False
    if not quoted and key[0] != title[0]:
        return False
    chars = iter(title)
    return all(ch in chars for ch in key)


_LEGISLATION = ("法典", "法", "条例")


def _other_law(title: str, key: str) -> bool:
    """`title` is `key` with words put in (劳动合同法 and 合同法, 人民警察警衔条例 and 人民警察条例): the name of
    another law, not a short form of this one. A law is shortened by dropping characters from its words
    (环境保护法 → 环保法) or its place and 中华人民共和国, never by dropping a whole qualifying word."""
    if not key.endswith(_LEGISLATION) or key.endswith("办法"):
        return False
    core = title.removeprefix(fold(TITLE_PREFIX))
    if core == key or without_place(title) == key or without_place(core) == key:
        return False
    if len(core) - len(key) < 2:  # one character is no qualifying word: 外关系法 is 对外关系法 cut short
        return False
    return any(core.startswith(key[:cut]) and core.endswith(key[cut:]) and core[cut : len(core) - len(key) + cut] not in _GENERIC_WORDS
               for cut in range(len(key)))


# words a title carries that name no other text when left out: 排污许可管理条例 is cited as 排污许可条例
_GENERIC_WORDS = frozenset({"管理"})


_AMENDING_ACT = re.compile(r"《[^《》]*关于(?:修改|废止|修订)[^《》]*决定》")


def ends_as_amendment(text: str) -> bool:
    """A reference to an amending act (《关于修改〈…〉等N件地方性法规的决定》), which no index holds as a text."""
    return bool(_AMENDING_ACT.search(text))
