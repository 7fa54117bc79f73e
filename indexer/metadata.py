"""Document metadata: from a sidecar manifest when there is one, else read off the document itself."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from indexer.dates import FILENAME_DATE, find_dates, is_date_line, parse_date
from indexer.doctype import (
    NATIONAL_BY_NATURE,
    Evidence,
    document_region,
    infer_doc_type,
    is_speech_title,
    speaks_locally,
    title_core,
)
from indexer.layout import ISSUER_SUFFIX, Signature, is_issuer_line, line_roles, signature
from indexer.readers.base import RawDocument
from policy_search.authority import canonical_doc_type
from policy_search.citations import DOC_NUMBER_RE
from policy_search.errors import UnsupportedDocument
from policy_search.labels import ARTICLE_RE, ITEM_RE, PLACEHOLDER_RE, STRUCTURE_RE, heading_label
from policy_search.model import ClauseKind
from policy_search.places import region_of
from policy_search.text import compact

MANIFEST_NAME = "manifest.jsonl"
SIDECAR_SUFFIX = ".meta.json"
SIDECAR_FIELDS = ("title", "doc_type", "issuer", "doc_number", "region", "date", "status", "effective_date")
STATUSES = ("现行有效", "已被修改", "已废止", "历史版本", "尚未施行")
NOT_CURRENT = ("已废止", "历史版本")  # statuses that leave a document out of searches, as an older version is

_OFFICIAL_TITLE = re.compile(r"关于.{2,80}的[\u4e00-\u9fa5]{0,6}(?:通知|意见|决定|通报|批复|报告|函|公告|通告|请示|方案|办法|规定|措施)$")
_TRANSMITTED = re.compile(
    r"关于(?:印发|转发|发布)(?:《(?P<title>[^《》]{4,80})》|(?P<bare>[^《》]{4,80}?))的(?:通知|通告|公告|决定)$"
)
_ORDER_LINE = re.compile(r"^(?P<issuer>[\u4e00-\u9fa5]{2,30})令\s*[（(]?\s*第\s*\d{1,4}\s*号\s*[)）]?$")  # 示例市人民政府令 第12号
_ORDER_HEAD = re.compile(r"^(?P<issuer>[\u4e00-\u9fa5]{2,30})令$")  # 广州市人民政府令 / 第179号 on the next line
_ORDER_NUMBER = re.compile(r"^[（(]?\s*第\s*\d{1,4}\s*号\s*[)）]?$")
_NOTE_ORDER = re.compile(r"(?P<issuer>[\u4e00-\u9fa5]{2,24})令\s*第\s*(?P<number>\d{1,4})\s*号")  # …以粤府令第197号公布
_BEFORE_ISSUER = re.compile(r"^.*[日以于经由据]")  # the words before the issuer in a note: 2014年12月19日环境保护部令
_EFFECTIVE = re.compile(r"自\s*(?P<date>[^，,。；\s]{6,16}?日)\s*起施行")
# the line under a speech's title: ——2026年1月27日在青海省第十四届人民代表大会第四次会议上
_SPEECH_OCCASION = re.compile(r"^[—―\-－]{1,2}\s*(?P<date>[^在]{6,16}?日)?\s*在(?P<where>.{2,60}?)上(?:的(?:讲话|报告|发言))?$")
_SPEAKER = re.compile(r"^(?P<office>[\u4e00-\u9fa5]{1,12}?)[\s\u3000]+(?P<name>[\u4e00-\u9fa5·]{2,5})$")  # 省长 罗东川
_HEAD_OF_GOVERNMENT = ("省长", "市长", "县长", "区长", "州长", "旗长")
_PLACE = re.compile(r"^[\u4e00-\u9fa5]{2,8}?(?:省|自治区|自治州|市|州|县|区)")
_JOINT_TITLE_ISSUER = re.compile(r"等[\d一二三四五六七八九十]+(?:个)?(?:部门|单位)$")  # 广州市卫生健康委等4部门
# how the title of a 公文 ends; a first title line that does not end so, continued by one that does, is one title
_TITLE_ENDINGS = ("通知", "意见", "决定", "通报", "批复", "报告", "函", "公告", "通告", "请示", "方案", "办法", "规定", "措施",
                  "条例", "细则", "规则", "规划", "纲要", "计划", "要点", "讲话", "决议", "纪要", "指南", "指引", "标准", "准则",
                  "制度", "清单", "法")
_TITLE_LINES = 3  # the most lines a title is printed over
_NOTE_WORDS = ("通过", "修正", "修订", "公布", "施行", "发布", "印发", "批准")
_ISSUER_MARK = re.compile(r"^[\u4e00-\u9fa5（）()\s\u3000]{2,60}?文件$")  # 示例市人民政府办公室文件
_SENTENCE_END = "。；：:;，,！？"
_PARTS_AS_ARTICLES = re.compile(r"[一二三四五六七八九十百\d]+条|若干(?:措施|规定|意见)$")
_PARTS_AS_ARTICLES_ENDINGS = ("措施", "规定", "办法", "细则", "规则", "准则")
_SELF_REFERENCE = re.compile(r"本(?:措施|意见|规定|办法|方案|通知|细则|决定)第[一二三四五六七八九十]+条")


@dataclass
class DocumentHeader:
    """Metadata fields, the blocks they came from (not clauses themselves), and the role of every other block."""

    title: str
    doc_type: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    region: str | None = None
    date: str | None = None
    header_blocks: set[int] = field(default_factory=set)
    issuers: tuple[str, ...] = ()
    roles: dict[int, ClauseKind] = field(default_factory=dict)  # block index → the part of a 公文 it is
    part_label: str = "部分"  # how numbered parts are cited where the document has no articles
    status: str | None = None
    effective_date: str | None = None
    also_titles: tuple[str, ...] = ()  # other titles it is cited by: the 印发 notice carrying it, 青海省政府工作报告


def load_sidecars(folder: Path) -> dict[str, dict]:
    """Metadata for the files of one folder: manifest.jsonl rows and NAME.meta.json files, keyed by file name."""
    entries: dict[str, dict] = {}
    manifest = folder / MANIFEST_NAME
    if manifest.is_file():
        for number, line in enumerate(manifest.read_text(encoding="utf-8-sig").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise UnsupportedDocument(f"{manifest.name}", f"line {number}: not valid JSON ({exc.msg})") from exc
            if not isinstance(row, dict) or not row.get("file"):
                raise UnsupportedDocument(manifest.name, f"line {number}: field 'file' is missing")
            entries[row["file"]] = _checked(row, f"{manifest.name} line {number}")
    for sidecar in folder.glob(f"*{SIDECAR_SUFFIX}"):
        try:
            row = json.loads(sidecar.read_text(encoding="utf-8-sig"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise UnsupportedDocument(sidecar.name, f"not valid JSON ({exc})") from exc
        entries[sidecar.name[: -len(SIDECAR_SUFFIX)]] = _checked(row, sidecar.name)
    return entries


def _checked(row: dict, where: str) -> dict:
    clean = {}
    if "sample" in row:  # a text written to show the project's handling, not a real one
        if not isinstance(row["sample"], bool):
            raise UnsupportedDocument(where, f"field 'sample' must be true or false, got {row['sample']!r}")
        clean["sample"] = row["sample"]
    for key in SIDECAR_FIELDS:
        value = row.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise UnsupportedDocument(where, f"field {key!r} must be a string, got {type(value).__name__}")
        if key in ("date", "effective_date"):
            iso = parse_date(value)
            if iso is None:
                raise UnsupportedDocument(where, f"field {key!r} is not a date: {value!r}")
            value = iso
        if key == "status" and value.strip() not in STATUSES:
            raise UnsupportedDocument(where, f"field 'status' must be one of {', '.join(STATUSES)}, got {value!r}")
        clean[key] = value.strip()
    return clean


def read_header(raw: RawDocument, sidecar: dict | None = None) -> DocumentHeader:
    """Title, type, issuers, 文号, region and date of a document, sidecar values taking precedence."""
    sidecar = {**raw.metadata, **(sidecar or {})}  # a file's sidecar overrides what its reader knew
    blocks = [block.text.strip() for block in raw.blocks]
    header_blocks: set[int] = set()

    title = sidecar.get("title") or raw.title
    title_block = _find_title_block(raw, blocks)
    if title_block is not None:
        lines = title_lines(blocks, title_block)
        found = "".join(blocks[i] for i in lines)
        if not title or _same(found, title):
            title = title or found
            header_blocks.update(lines)
        elif title_block + 1 < len(blocks) and _same(blocks[title_block] + blocks[title_block + 1], title):
            header_blocks.update((title_block, title_block + 1))
        header_blocks.update(i for i in range(title_block) if _ISSUER_MARK.match(blocks[i]) or is_issuer_line(blocks[i]))
    if not title:
        title = FILENAME_DATE.sub("", Path(raw.source).stem).strip() or raw.source
    notice_title = title
    also_titles: list[str] = []
    transmitted = _TRANSMITTED.search(title)
    if transmitted and not sidecar.get("title"):  # a 印发 notice: the document cited is the one it sends out
        carried = transmitted.group("title") or transmitted.group("bare")
        attached = _carried_title(blocks, header_blocks, carried)
        if attached:
            title = carried
            header_blocks.update(attached)
            also_titles = [notice_title, "".join(blocks[i] for i in attached)]
    header_blocks.update(i for i, text in enumerate(blocks[:15]) if i not in header_blocks and _same(text, title))  # under a 令

    doc_number = sidecar.get("doc_number")
    notes: list[str] = []
    promulgator: tuple[str, ...] = ()  # the body whose 令 promulgates the text
    for index, text in enumerate(blocks[:12]):
        match = DOC_NUMBER_RE.search(text)
        if match and len(text) <= len(match.group(0)) + 12 and index not in header_blocks:
            doc_number = doc_number or re.sub(r"\s+", "", match.group(0))
            header_blocks.add(index)
            break
        order = _ORDER_LINE.match(text)
        head = _ORDER_HEAD.match(text)
        if head and index + 1 < len(blocks) and _ORDER_NUMBER.match(blocks[index + 1]) and index + 1 not in header_blocks:
            text = text + blocks[index + 1]  # 广州市人民政府令 / 第179号
            order = _ORDER_LINE.match(text)
            header_blocks.add(index + 1)
        if order:
            doc_number = doc_number or re.sub(r"[\s（()）]+", "", text)
            notes.append(text)
            header_blocks.add(index)
            promulgator = (order.group("issuer"),)
    notes += [t for t in blocks[:6] if t.startswith(("（", "(")) and any(w in t for w in _NOTE_WORDS)]
    for note in notes:  # a 令 named in the note under the title: （2014年12月19日环境保护部令第30号公布　…）
        named = _NOTE_ORDER.search(note)
        if named and not doc_number:
            issuer = _BEFORE_ISSUER.sub("", named.group("issuer"))
            doc_number = f"{issuer}令第{named.group('number')}号"
            promulgator = promulgator or ((issuer,) if ISSUER_SUFFIX.search(issuer) else ())
    occasion = _speech_occasion(blocks, header_blocks, title_block)

    speech = is_speech_title(title) or canonical_doc_type(sidecar.get("doc_type")) == "讲话" or occasion is not None
    body = [i for i, text in enumerate(blocks) if i not in header_blocks and text and not PLACEHOLDER_RE.match(text)]
    body_lines = [blocks[i] for i in body]
    roles = line_roles(body_lines, speech=speech)
    signed = signature(body_lines, roles)

    if sidecar.get("issuer"):
        issuers = tuple(name for name in re.split(r"[、，,\s]+", sidecar["issuer"]) if name)
    else:
        named = _title_issuers(notice_title)
        if named and signed and signed.issuers and _JOINT_TITLE_ISSUER.search(named[-1]):
            named = signed.issuers  # 广州市卫生健康委等4部门: the signature names them
        issuers = named or promulgator or (occasion.issuers if occasion else ()) or (signed.issuers if signed else ())
    date = sidecar.get("date") or (occasion.date if occasion and occasion.date else None) or _date(raw.source, signed, notes)
    region = sidecar.get("region") or document_region(title, issuers) or (occasion.region if occasion else None)
    text = "\n".join(body_lines)
    local = (region not in (None, "全国")) or speaks_locally(text)
    evidence = Evidence(title, issuers, doc_number, tuple(notes), text)
    doc_type = canonical_doc_type(sidecar.get("doc_type"), region) or ("讲话" if occasion else infer_doc_type(evidence, local))
    place = _PLACE.match(title)
    if not issuers and doc_type == "地方政府规章" and doc_number and "令" in doc_number and place:
        issuers = (f"{place.group(0)}人民政府",)  # 粤府令第197号: a government rule is its people's government's
    if occasion and occasion.place and region_of(title) is None:  # 政府工作报告 is also cited with its place and year
        year = f"{date[:4]}年" if date else ""
        also_titles += [occasion.place + title, f"{occasion.place}{year}{title}", f"{year}{occasion.place}{title}"]
    if region is None and doc_type in NATIONAL_BY_NATURE and not local:
        region = "全国"  # laws and regulations that name no place and speak of none are national
    return DocumentHeader(
        title=title,
        doc_type=doc_type,
        issuer="、".join(issuers) or None,
        doc_number=doc_number,
        region=region,
        date=date,
        header_blocks=header_blocks,
        issuers=issuers,
        roles={body[i]: role for i, role in enumerate(roles) if role is not None},
        status=sidecar.get("status"),
        effective_date=sidecar.get("effective_date"),
        part_label=_part_label(title, text),
        also_titles=tuple(dict.fromkeys(t for t in also_titles if t and not _same(t, title))),
    )


@dataclass(frozen=True)
class _Occasion:
    """Where and when a speech was given, from the line under its title, and who gave it."""

    date: str | None
    region: str | None
    place: str | None  # 青海省
    issuers: tuple[str, ...]


def _speech_occasion(blocks: list[str], header_blocks: set[int], title_block: int | None) -> _Occasion | None:
    """——2026年1月27日在青海省第十四届人民代表大会第四次会议上 and the speaker under it (省长 罗东川), both header."""
    start = 0 if title_block is None else max((i for i in header_blocks if i < 4), default=title_block) + 1
    for index in range(start, min(start + 2, len(blocks))):
        match = _SPEECH_OCCASION.match(blocks[index])
        if not match:
            continue
        header_blocks.add(index)
        where = match.group("where")
        place = _PLACE.match(where)
        issuers: tuple[str, ...] = ()
        speaker = _SPEAKER.match(blocks[index + 1]) if index + 1 < len(blocks) else None
        if speaker:
            header_blocks.add(index + 1)
            if place and speaker.group("office").endswith(_HEAD_OF_GOVERNMENT):
                issuers = (f"{place.group(0)}人民政府",)  # a 政府工作报告 is the government's, given by its head
        date = parse_date(match.group("date") or "")
        return _Occasion(date, region_of(where), place.group(0) if place else None, issuers)
    return None


def title_lines(blocks: list[str], first: int) -> list[int]:
    """The blocks a title is printed over: a line that does not end as a title does (国务院关于促进综合保税区),
    continued by lines that complete it (高水平开放高质量发展的若干意见)."""
    joined = blocks[first]
    if ends_as_title(joined):
        return [first]
    lines = [first]
    for index in range(first + 1, min(first + _TITLE_LINES, len(blocks))):
        line = blocks[index]
        if not _continues_title(line) or len(joined + line) > 100:
            break
        joined += line
        lines.append(index)
        if ends_as_title(joined):
            return lines
    return [first]


def ends_as_title(text: str) -> bool:
    return title_core(text).endswith(_TITLE_ENDINGS)


def _continues_title(line: str) -> bool:
    return (_looks_like_title(line) and not DOC_NUMBER_RE.search(line) and not _ORDER_LINE.match(line)
            and not is_date_line(line) and not is_issuer_line(line) and not line.endswith(("：", ":"))
            and not line.startswith(("（", "(", "—", "―", "附件")))


def _carried_title(blocks: list[str], header_blocks: set[int], carried: str) -> list[int]:
    """The blocks holding the title of the document a 印发 notice carries: the title itself, or 关于 and the title
    (关于推进……实施方案), on one line or two."""
    names = {compact(carried), compact("关于" + carried)}
    for index, text in enumerate(blocks):
        if index in header_blocks or not text:
            continue
        if compact(text) in names:
            return [index]
        if index + 1 < len(blocks) and compact(text + blocks[index + 1]) in names:
            return [index, index + 1]
    return []


def _part_label(title: str, text: str) -> str:
    """条 where the numbered parts are measures or rules (十二条措施, 若干规定, …办法) or the text calls them so
    (本措施第三条); 部分 for other 公文 (意见, 方案, 通知, 函, 讲话)."""
    core = title_core(title)
    if _PARTS_AS_ARTICLES.search(core) or core.endswith(_PARTS_AS_ARTICLES_ENDINGS) or _SELF_REFERENCE.search(text):
        return "条"
    return "部分"


def _same(a: str, b: str) -> bool:
    return re.sub(r"\s", "", a) == re.sub(r"\s", "", b)


def _find_title_block(raw: RawDocument, blocks: list[str]) -> int | None:
    for index, block in enumerate(raw.blocks[:5]):
        if block.style == "title":
            return index
    for index, block in enumerate(blocks[:3]):  # after a 发文机关标志 line such as 示例市人民政府办公室文件
        if _looks_like_title(block) and not _ISSUER_MARK.match(block) and not (is_issuer_line(block) and index + 1 < len(blocks)):
            return index
        if not (_ISSUER_MARK.match(block) or is_issuer_line(block)):
            return None
    return None


def _looks_like_title(line: str) -> bool:
    if not line or len(line) > 80 or line[-1] in _SENTENCE_END or PLACEHOLDER_RE.match(line):
        return False
    return not (ARTICLE_RE.match(line) or STRUCTURE_RE.match(line) or ITEM_RE.match(line) or heading_label(line))


def _title_issuers(title: str) -> tuple[str, ...]:
    """发文机关 named before 关于 in an official title; joint issuers are separated by spaces or 、."""
    match = re.match(r"^(.{2,60}?)关于", title)
    if not match or not _OFFICIAL_TITLE.search(title):
        return ()
    names = tuple(name for name in re.split(r"[\s\u3000、]+", match.group(1)) if name)
    return names if all(ISSUER_SUFFIX.search(name) for name in names) else (match.group(1),)


def _date(source: str, signed: Signature | None, notes: list[str]) -> str | None:
    """Version date: (YYYY-MM-DD) in the file name, the 成文日期 under the signature, or the last date in a note."""
    match = FILENAME_DATE.search(source)
    if match:
        return parse_date(match.group(1))
    if signed and signed.date:
        return signed.date
    dates = [date for note in notes for date in find_dates(_EFFECTIVE.sub("", note))]  # 自…起施行 is not the version
    return max(dates) if dates else None


def doc_type_of(title: str, region: str | None) -> str:
    """The type a title alone suggests, for a document that says nothing else about itself."""
    return infer_doc_type(Evidence(title), local=bool(region) and region != "全国")
