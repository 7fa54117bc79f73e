"""效力级别 and region from a document's own evidence: issuers, 文号, adoption note, the text, then the title.

The title's last word alone misleads: a provincial 整改销号办法 issued by a government office is a 规范性文件,
not a 地方性法规, and a city's 办法 whose title names no place is still local. So the stronger evidence
decides first: an adoption or promulgation note (…人民代表大会常务委员会第N次会议通过, 国务院令第N号), the
文号 (…令第N号, 法释〔…〕, …办发〔…〕), the issuers (人大常委会, 人民政府, 办公厅, 局), and only then how
the title ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from policy_search.places import region_of

_CORE_SUFFIX = re.compile(r"[（(][^()（）]*[)）]$")
_SPEECH = ("讲话", "致辞", "发言", "主持词", "讲稿", "报告会上")
_WORKING = ("函", "复函", "报告", "请示", "通报", "纪要", "简报", "总结", "汇报", "情况", "说明", "答复", "提纲", "清单")
_NORMATIVE = ("措施", "意见", "通知", "方案", "决定", "规划", "纲要", "指南", "公告", "通告", "计划", "要点",
              "标准", "导则", "制度", "规范", "决议", "指引")
_RULES = ("规定", "办法", "细则", "规则", "准则")
_NATIONAL_ISSUER = re.compile(r"^(?:中华人民共和国|国务院|全国|中共中央|中央|国家|最高人民)|^(?![省市县区州])[\u4e00-\u9fa5]{2,10}部(?:办公厅)?$")
_LOCAL_TEXT = re.compile(r"本(?:省|市|自治区|自治州|县|区|州|盟)(?:行政区域|范围|辖区|人民政府|内|各级)")

# Evidence of legislation in the adoption note, the 令 line or the 文号, strongest first.
_LEGISLATION = (
    (re.compile(r"全国人民代表大会(?:常务委员会)?.{0,30}(?:通过|修正|修订)"), "法律"),
    (re.compile(r"国务院令|国务院.{0,12}常务会议.{0,12}通过"), "行政法规"),
    (re.compile(r"人民代表大会(?:常务委员会)?.{0,40}(?:通过|批准|修正|修订)"), "地方性法规"),
    (re.compile(r"人民政府令|人民政府.{0,12}(?:常务|政府)会议.{0,12}通过"), "地方政府规章"),
    (re.compile(r"(?:部|委员会|委|总局|局|署|行)令\s*第|(?:部务|委务|局务|署务|委主任|行务)会议.{0,12}(?:通过|审议)"), "部门规章"),
    (re.compile(r"法释|高检发释字|最高人民(?:法院|检察院).{0,20}(?:审判|检察)委员会.{0,20}通过"), "司法解释"),
)
NATIONAL_BY_NATURE = ("宪法", "法律", "行政法规", "司法解释", "部门规章")  # types no province or city issues
_OFFICIAL_NUMBER = re.compile(r"[〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]")


@dataclass(frozen=True)
class Evidence:
    """What a document says about itself, as read by the metadata reader."""

    title: str
    issuers: tuple[str, ...] = ()
    doc_number: str | None = None
    notes: tuple[str, ...] = ()  # adoption / promulgation notes and 令 lines near the title
    text: str = ""  # the body, for 本市/本省 and the like


def title_core(title: str) -> str:
    """The title without a trailing (2023年修订)-style note."""
    core = title.strip()
    while True:
        stripped = _CORE_SUFFIX.sub("", core).strip()
        if stripped == core:
            return core
        core = stripped


def is_speech_title(title: str) -> bool:
    core = title_core(title)
    return any(word in core for word in _SPEECH)


def is_national_issuer(issuer: str) -> bool:
    return bool(_NATIONAL_ISSUER.search(issuer)) and region_of(_unprefixed(issuer)) in (None, "全国")


def _unprefixed(issuer: str) -> str:
    return re.sub(r"^(?:中共|中国共产党)", "", issuer)


def issuer_region(issuers: tuple[str, ...]) -> str | None:
    """The region the issuers belong to: 中共江苏省委 → 江苏; 全国 for national bodies; None when they name none."""
    for issuer in issuers:
        if is_national_issuer(issuer):
            return "全国"
        region = region_of(_unprefixed(issuer))
        if region:
            return region
    return None


def infer_doc_type(evidence: Evidence, local: bool) -> str:
    """The type on the authority scale; `local` says the document belongs to a province, city or county."""
    core = title_core(evidence.title)
    if core.endswith("宪法") or re.search(r"宪法修正案", core):
        return "宪法"
    if is_speech_title(core):
        return "讲话"
    found = " ".join((*evidence.notes, evidence.doc_number or ""))
    for pattern, doc_type in _LEGISLATION:
        if pattern.search(found):
            return doc_type
    issuers = evidence.issuers
    if core.startswith(("最高人民法院", "最高人民检察院")) or any(i.startswith(("最高人民法院", "最高人民检察院")) for i in issuers):
        return "司法解释"
    if any("人民代表大会" in i or "人大常委会" in i for i in issuers) and not core.endswith(_WORKING):
        return "法律" if not local and any(i.startswith("全国") for i in issuers) else "地方性法规"
    if core.endswith(_WORKING):
        return "工作文件"
    if issuers or (evidence.doc_number and _OFFICIAL_NUMBER.search(evidence.doc_number)):
        if core.endswith(("条例", "规定", "办法")) and "国务院" in issuers:
            return "行政法规"  # 国务院关于…的规定 is promulgated as an administrative regulation
        return "规范性文件"  # issued as an official document, not promulgated as legislation
    if core.endswith(("法", "法典")) and not core.endswith(("办法", "方法", "做法", "立法", "执法")):
        return "法律"
    if core.endswith("条例"):
        return "地方性法规" if local else "行政法规"
    if core.endswith(_RULES):
        return "地方政府规章" if local else "部门规章"
    if core.endswith(_NORMATIVE) or re.search(r"[一二三四五六七八九十百\d]+条", core):
        return "规范性文件"
    return "工作文件"


def speaks_locally(text: str) -> bool:
    """The text refers to itself as a province's or city's (本市行政区域内, 本省各级人民政府)."""
    return _LOCAL_TEXT.search(text) is not None


def document_region(title: str, issuers: tuple[str, ...]) -> str | None:
    """Region from the issuers, else from the title's first words."""
    return issuer_region(issuers) or region_of(title)

