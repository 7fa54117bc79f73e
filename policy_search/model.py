"""The clause data model: documents, clauses and where each clause sits, plus the citation they render to."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from policy_search.labels import heading_label
from policy_search.numerals import int_to_chinese


class ClauseKind(str, Enum):
    """What a unit is in its document."""

    ARTICLE = "article"  # 第N条 of a legal text (or one part of a long one)
    PREAMBLE = "preamble"  # unnumbered opening paragraph of a legal text
    NOTE = "note"  # the bracketed adoption/amendment note under a law's title
    HEADING = "heading"  # 一、 / （一） heading of a speech, notice or plan
    PARAGRAPH = "paragraph"  # a paragraph of a speech, notice or plan


@dataclass(frozen=True)
class Item:
    """A 项 (（三）) or 目 (1.) inside an article; offsets index into the clause text."""

    label: str  # as written: "（三）", "(三)", "1."
    number: int
    level: int  # 1 = 项, 2 = 目
    paragraph: int  # the 款 (1-based, within the whole article) the item belongs to
    start: int
    end: int


@dataclass(frozen=True)
class ClauseLocator:
    """Where a clause sits: its heading path, article label and the 款/项 inside it."""

    path: tuple[str, ...] = ()
    article: str | None = None  # label exactly as written, e.g. 第五十九条
    article_number: int | None = None
    paragraphs: tuple[tuple[int, int], ...] = ()  # 款 spans (start, end) in the clause text
    first_paragraph: int = 1  # number of the first 款 in this clause (a later part of a split article starts higher)
    paragraph_count: int = 1  # 款 in the whole article; citations name a 款 only when there are several
    items: tuple[Item, ...] = ()
    part: int = 1  # a long unit is split into parts 1..parts, all with the same article and path
    parts: int = 1

    def paragraph_at(self, offset: int) -> int | None:
        """The 款 number that holds a character offset, or None for a single-paragraph article."""
        if self.paragraph_count <= 1:
            return None
        for index, (start, end) in enumerate(self.paragraphs):
            if start <= offset < end or (offset == end and index == len(self.paragraphs) - 1):
                return self.first_paragraph + index
        return None

    def item_at(self, offset: int) -> Item | None:
        """The innermost 项/目 that holds a character offset."""
        found = None
        for item in self.items:
            if item.start <= offset < item.end:
                found = item if found is None or item.level > found.level else found
        return found


@dataclass(frozen=True)
class Clause:
    """The retrievable unit: an article (or part of one), a preamble paragraph, or a paragraph of a speech."""

    clause_id: str
    doc_id: str
    ordinal: int  # position in the document, from 0
    kind: ClauseKind
    text: str  # original text, as displayed and quoted
    locator: ClauseLocator = field(default_factory=ClauseLocator)
    external_id: str | None = None  # id given by the source (JSON-lines input)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Clause:
        loc = dict(data["locator"])
        loc["path"] = tuple(loc["path"])
        loc["paragraphs"] = tuple(tuple(span) for span in loc["paragraphs"])
        loc["items"] = tuple(Item(**item) for item in loc["items"])
        return cls(
            clause_id=data["clause_id"],
            doc_id=data["doc_id"],
            ordinal=data["ordinal"],
            kind=ClauseKind(data["kind"]),
            text=data["text"],
            locator=ClauseLocator(**loc),
            external_id=data.get("external_id"),
        )


@dataclass(frozen=True)
class DocumentMeta:
    """What is known about a document: from a sidecar manifest, or read off the document itself."""

    doc_id: str
    title: str
    source: str  # file name as ingested, no directories
    doc_type: str | None = None  # 法律, 行政法规, 司法解释, 地方性法规, 规章, 规范性文件, 讲话, 其他
    issuer: str | None = None  # 发文机关
    doc_number: str | None = None  # 文号, e.g. 川办发〔2023〕12号
    region: str | None = None  # 全国, a province, or a city
    date: str | None = None  # ISO date of this version (成文/公布/修正)
    superseded: bool = False  # a newer version with the same title is indexed
    version_key: str = ""  # documents sharing it are versions of one document
    content_hash: str = ""  # of the decoded text, to skip unchanged files

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentMeta:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Citation:
    """A citation that renders itself: 《中华人民共和国环境保护法》第五十九条第一款, or a speech's part."""

    title: str
    article: str | None = None
    paragraph: int | None = None  # 款
    item: str | None = None  # 项 label, e.g. （三）
    path: tuple[str, ...] = ()  # for texts without articles: the numbered headings above the paragraph

    def render(self) -> str:
        head = f"《{self.title}》"
        if self.article:
            text = head + self.article
            if self.paragraph:
                text += f"第{int_to_chinese(self.paragraph)}款"
            if self.item:
                text += f"第{_bracketed(self.item)}项"
            return text
        return head + "".join(_part_label(level, label) for level, label in _numbered_labels(self.path))

    def __str__(self) -> str:
        return self.render()


def _bracketed(label: str) -> str:
    core = label.strip("（）()、.． ")
    return f"（{core}）"


def _numbered_labels(path: tuple[str, ...]) -> list[tuple[int, str]]:
    return [found for found in map(heading_label, path) if found]


def _part_label(level: int, label: str) -> str:
    core = label.strip("（）()、.． ")
    if level == 1:
        return f"第{core}部分"
    return f"第{_bracketed(core)}点" if level == 2 else f"第{core}点"


def stable_id(*parts: str, length: int = 16) -> str:
    """A short hex id from content and place; the same inputs always give the same id."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def citation_for(meta: DocumentMeta, clause: Clause, offset: int | None = None) -> Citation:
    """The citation of a clause, down to the 款/项 that holds `offset` when one is given."""
    loc = clause.locator
    paragraph = item = None
    if offset is not None and loc.article:
        paragraph = loc.paragraph_at(offset)
        found = loc.item_at(offset)
        item = found.label if found and found.level == 1 else None
    return Citation(title=meta.title, article=loc.article, paragraph=paragraph, item=item, path=loc.path)
