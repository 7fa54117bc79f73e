"""Document metadata: from a sidecar manifest when there is one, else read off the document itself."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from indexer.dates import FILENAME_DATE, find_dates, is_date_line, parse_date
from indexer.readers.base import RawDocument
from policy_search.errors import UnsupportedDocument
from policy_search.labels import ARTICLE_RE, ITEM_RE, PLACEHOLDER_RE, STRUCTURE_RE, heading_label
from policy_search.places import region_of

MANIFEST_NAME = "manifest.jsonl"
SIDECAR_SUFFIX = ".meta.json"
SIDECAR_FIELDS = ("title", "doc_type", "issuer", "doc_number", "region", "date")

DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fa5]{1,12}[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*\d{1,4}\s*号")
_OFFICIAL_TITLE = re.compile(r"关于.{2,80}的(?:通知|意见|决定|通报|批复|报告|函|公告|通告|请示|实施方案|方案|办法|规定)$")
_ISSUER_SUFFIX = re.compile(r"(?:人民政府|办公厅|办公室|委员会|人大常委会|常务委员会|厅|局|部|委|院|署|中心|领导小组)$")
_SENTENCE_END = "。；：:;，,！？"
_NATIONAL_BY_DEFAULT = ("法律", "行政法规", "司法解释", "规章")


@dataclass
class DocumentHeader:
    """Metadata fields and the blocks they came from, which are not clauses themselves."""

    title: str
    doc_type: str | None = None
    issuer: str | None = None
    doc_number: str | None = None
    region: str | None = None
    date: str | None = None
    header_blocks: set[int] = field(default_factory=set)


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
    for key in SIDECAR_FIELDS:
        value = row.get(key)
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise UnsupportedDocument(where, f"field {key!r} must be a string, got {type(value).__name__}")
        if key == "date":
            iso = parse_date(value)
            if iso is None:
                raise UnsupportedDocument(where, f"field 'date' is not a date: {value!r}")
            value = iso
        clean[key] = value.strip()
    return clean


def read_header(raw: RawDocument, sidecar: dict | None = None) -> DocumentHeader:
    """Title, type, issuer, 文号, region and date of a document, sidecar values taking precedence."""
    sidecar = sidecar or {}
    blocks = [block.text.strip() for block in raw.blocks]
    header_blocks: set[int] = set()

    title = sidecar.get("title") or raw.title
    title_block = _find_title_block(raw, blocks)
    if title_block is not None:
        found = blocks[title_block]
        if not title or _same(found, title):
            title = title or found
            header_blocks.add(title_block)
        elif title_block + 1 < len(blocks) and _same(found + blocks[title_block + 1], title):
            header_blocks.update((title_block, title_block + 1))
    if not title:
        title = FILENAME_DATE.sub("", Path(raw.source).stem).strip() or raw.source

    doc_number = sidecar.get("doc_number")
    for index, text in enumerate(blocks[:12]):
        match = DOC_NUMBER_RE.search(text)
        if match and len(text) <= len(match.group(0)) + 12:
            doc_number = doc_number or re.sub(r"\s+", "", match.group(0))
            header_blocks.add(index)
            break

    issuer = sidecar.get("issuer") or _issuer(title, blocks)
    date = sidecar.get("date") or _date(raw.source, blocks)
    region = sidecar.get("region") or region_of(title)
    doc_type = sidecar.get("doc_type") or doc_type_of(title, region)
    if region is None and doc_type in _NATIONAL_BY_DEFAULT:
        region = "全国"  # laws and regulations that name no place are national
    return DocumentHeader(title, doc_type, issuer, doc_number, region, date, header_blocks)


def _same(a: str, b: str) -> bool:
    return re.sub(r"\s", "", a) == re.sub(r"\s", "", b)


def _find_title_block(raw: RawDocument, blocks: list[str]) -> int | None:
    for index, block in enumerate(raw.blocks[:5]):
        if block.style == "title":
            return index
    if blocks and _looks_like_title(blocks[0]):
        return 0
    return None


def _looks_like_title(line: str) -> bool:
    if not line or len(line) > 60 or line[-1] in _SENTENCE_END or PLACEHOLDER_RE.match(line):
        return False
    return not (ARTICLE_RE.match(line) or STRUCTURE_RE.match(line) or ITEM_RE.match(line) or heading_label(line))


def _issuer(title: str, blocks: list[str]) -> str | None:
    """发文机关: the part of an official title before 关于, or the signature line above the closing date."""
    match = re.match(r"^(.{2,40}?)关于", title)
    if match and _OFFICIAL_TITLE.search(title):
        return match.group(1)
    for index in range(len(blocks) - 1, max(len(blocks) - 6, 0), -1):
        if is_date_line(blocks[index]) and index > 0:
            candidate = blocks[index - 1].replace("\u3000", "").strip()
            if len(candidate) <= 30 and _ISSUER_SUFFIX.search(candidate):
                return candidate
    return None


def _date(source: str, blocks: list[str]) -> str | None:
    """Version date: (YYYY-MM-DD) in the file name, a closing 成文日期 line, or the last date in a law's note."""
    match = FILENAME_DATE.search(source)
    if match:
        return parse_date(match.group(1))
    for text in reversed(blocks[-6:]):
        if is_date_line(text):
            return parse_date(text)
    for text in blocks[:4]:
        if text.startswith(("（", "(")) and ("通过" in text or "修正" in text or "修订" in text or "公布" in text):
            dates = find_dates(text)
            if dates:
                return max(dates)
    return None


def doc_type_of(title: str, region: str | None) -> str:
    """The kind of document, read from how its title ends."""
    core = re.sub(r"[（(][^()（）]*[)）]$", "", title.strip())
    local = bool(region) and region != "全国"
    if "讲话" in core or core.endswith(("致辞", "发言")):
        return "讲话"
    if core.startswith(("最高人民法院", "最高人民检察院")):
        return "司法解释"
    if core.endswith("法") and not core.endswith(("办法", "方法", "做法", "立法", "执法")):
        return "法律"
    if core.endswith("条例"):
        return "地方性法规" if local else "行政法规"
    if core.endswith(("规定", "办法", "细则", "规则")):
        return "地方性法规" if local and not _OFFICIAL_TITLE.search(core) else "规章"
    if core.endswith(("措施", "意见", "通知", "方案", "决定", "规划", "纲要", "指南", "公告", "通告", "通报", "计划")):
        return "规范性文件"
    return "其他"
