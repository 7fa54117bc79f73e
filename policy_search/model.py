"""The clause data model: documents, clauses and where each clause sits, plus the citation they render to."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any

from policy_search.authority import canonical_doc_type
from policy_search.labels import attachment_label, heading_label, label_core
from policy_search.numerals import int_to_chinese


class ClauseKind(str, Enum):
    """What a unit is in its document."""

    ARTICLE = "article"  # 第N条 of a legal text (or one part of a long one)
    PREAMBLE = "preamble"  # unnumbered opening paragraph of a legal text
    NOTE = "note"  # the bracketed adoption/amendment note under a law's title
    HEADING = "heading"  # 一、 / （一） heading whose body is other units: in the outline, not a search unit
    PARAGRAPH = "paragraph"  # a paragraph of a speech, notice or plan (with its heading when it has one body)
    # Parts of an official document that are not clauses: kept for the context view, never search units.
    ADDRESSEE = "addressee"  # 主送机关: 各市（州）人民政府，省直有关部门：
    SALUTATION = "salutation"  # 同志们：
    PROCEDURE = "procedure"  # agenda and chairing lines of a meeting, 现将……印发给你们
    SIGNATURE = "signature"  # 发文机关署名 and 成文日期 at the end, （此件公开发布）
    DISTRIBUTION = "distribution"  # 抄送： and 印发 lines
    ATTACHMENTS = "attachments"  # the list of attachments: 附件：1.……


SEARCH_KINDS = frozenset({ClauseKind.ARTICLE, ClauseKind.PREAMBLE, ClauseKind.NOTE, ClauseKind.PARAGRAPH})


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
    ocr_confidence: float | None = None  # read by OCR: the lowest recognition confidence of its lines

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        if self.ocr_confidence is None:  # the common case: text read from the file, nothing to record
            del data["ocr_confidence"]
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
            ocr_confidence=data.get("ocr_confidence"),
        )


@dataclass(frozen=True)
class DocumentMeta:
    """What is known about a document: from a sidecar manifest, or read off the document itself."""

    doc_id: str
    title: str
    source: str  # file name as ingested, no directories
    doc_type: str | None = None  # on the scale of policy_search.authority: 法律 … 规范性文件, 工作文件, 讲话
    issuer: str | None = None  # 发文机关 as displayed; joint issuers joined by 、
    doc_number: str | None = None  # 文号, e.g. 川办发〔2023〕12号
    region: str | None = None  # 全国, a province, or a city
    date: str | None = None  # ISO date of this version (成文/公布/修正)
    superseded: bool = False  # not the current text: a newer version is indexed, or the source says 已废止/历史版本
    version_key: str = ""  # documents sharing it are versions of one document
    content_hash: str = ""  # of the decoded text, to skip unchanged files
    issuers: tuple[str, ...] = ()  # every 发文机关 of a joint document, in the order they sign
    status: str | None = None  # 现行有效, 已被修改, 已废止, 历史版本, where the source says so
    effective_date: str | None = None  # 施行日期
    part_label: str | None = None  # how numbered parts of a document without articles are cited: 条 or 部分
    repealed_by: str | None = None  # doc id of an indexed text that repeals this one (…同时废止)
    also_titles: tuple[str, ...] = ()  # other titles it is cited by: the 印发 notice that carries it, 青海省政府工作报告
    ocr_pages: int = 0  # pages read by OCR (a scan or photo): quotes must be checked against the original
    ocr_confidence: float | None = None  # mean recognition confidence of its OCR'd text; None when none was OCR'd
    sample: bool = False  # written to show what the project does, not a real text: never ahead of one, never a basis

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if not self.ocr_pages:  # the common case: nothing was OCR'd, nothing to record
            del data["ocr_pages"], data["ocr_confidence"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentMeta:
        fields = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "also_titles" in fields:
            fields["also_titles"] = tuple(fields["also_titles"])
        if "issuers" in fields:
            fields["issuers"] = tuple(fields["issuers"])
        elif fields.get("issuer"):  # written before joint issuers were a list
            fields["issuers"] = (fields["issuer"],)
        fields["doc_type"] = canonical_doc_type(fields.get("doc_type"), fields.get("region"))
        return cls(**fields)


CITES, RESTATES, REPEALS = "cites", "restates", "repeals"


@dataclass(frozen=True)
class Reference:
    """One link from a clause (`source`) to a document or a clause of another document."""

    source: str  # clause id
    kind: str  # cites, restates or repeals
    text: str  # as written (for restatements: empty)
    target_doc: str | None = None  # None: not found in the index
    target: str | None = None  # clause id of the unit holding the cited article, 款 or 项; None: the document
    paragraph: int | None = None  # 款 named and found
    item: int | None = None  # 项 named and found
    similarity: float | None = None  # restatements: share of the clause's weighted bigrams the target holds

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reference:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


@dataclass(frozen=True)
class Citation:
    """A citation that renders itself: 《中华人民共和国环境保护法》第五十九条第一款, or a speech's part."""

    title: str
    article: str | None = None
    paragraph: int | None = None  # 款
    item: str | None = None  # 项 label, e.g. （三）
    path: tuple[str, ...] = ()  # for texts without articles: the numbered headings above the paragraph
    part_label: str | None = None  # for texts without articles: 条 (measures) or 部分 (other 公文)

    def render(self) -> str:
        head = f"《{self.title}》"
        if self.article:
            text = head + self.article
            if self.paragraph:
                text += f"第{int_to_chinese(self.paragraph)}款"
            if self.item:
                text += f"第{_bracketed(self.item)}项"
            return text
        attachment = attachment_label(self.path[0]) if self.path else None
        if attachment:  # 《…》附件1第一部分: an attachment's parts are not the document's
            head += attachment
        labels = [label for _, label in _numbered_labels(self.path[1:] if attachment else self.path)]
        return head + "".join(_part_label(depth, label, self.part_label or "部分") for depth, label in enumerate(labels))

    def __str__(self) -> str:
        return self.render()


def _bracketed(label: str) -> str:
    return f"（{label_core(label)}）"


def _numbered_labels(path: tuple[str, ...]) -> list[tuple[int, str]]:
    return [found for found in map(heading_label, path) if found]


def _part_label(depth: int, label: str, part_label: str) -> str:
    """The outermost numbered heading is the 条 or 部分, the next one its 项, deeper ones 点."""
    core = label_core(label)
    if depth == 0:
        return f"第{core}{part_label}"
    return f"第{_bracketed(core)}项" if depth == 1 else f"第{core}点"


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
    return Citation(meta.title, loc.article, paragraph, item, loc.path, meta.part_label)
