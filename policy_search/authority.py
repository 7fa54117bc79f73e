"""Document types and the one authority order (效力级别) that ranking priors, drafting and the page share.

    宪法 > 法律 > 行政法规 (司法解释 beside it) > 地方性法规 / 部门规章 > 地方政府规章 > 规范性文件 > 工作文件 / 讲话

Older indexes and manifests wrote 规章, 其他, 法规 and the like; `canonical_doc_type` maps them onto this scale.
"""

from __future__ import annotations

# Every type, highest authority first, with its level (a smaller level binds more).
AUTHORITY_LEVELS: dict[str, int] = {
    "宪法": 0,
    "法律": 1,
    "行政法规": 2,
    "司法解释": 2,
    "地方性法规": 3,
    "部门规章": 3,
    "地方政府规章": 4,
    "规范性文件": 5,
    "工作文件": 6,
    "讲话": 6,
}
DOC_TYPES = tuple(AUTHORITY_LEVELS)
LOWEST_LEVEL = max(AUTHORITY_LEVELS.values())

# Names other sources use for the same types.
_SYNONYMS = {
    "立法解释": "法律",
    "修改决定": "法律",
    "修正案": "法律",
    "有关法律问题的决定": "法律",
    "监察法规": "行政法规",
    "自治条例": "地方性法规",
    "单行条例": "地方性法规",
    "经济特区法规": "地方性法规",
    "地方法规": "地方性法规",
    "政府规章": "地方政府规章",
    "行政规范性文件": "规范性文件",
    "党内规范性文件": "规范性文件",
    "其他规范性文件": "规范性文件",
    "工作文件/讲话": "工作文件",
    "其他": "工作文件",
    "讲话稿": "讲话",
}


def canonical_doc_type(value: str | None, region: str | None = None) -> str | None:
    """A type on the scale above; 规章 and 法规 are split by whether the region is national."""
    if not value:
        return None
    value = value.strip()
    if value in AUTHORITY_LEVELS:
        return value
    if value in _SYNONYMS:
        return _SYNONYMS[value]
    local = bool(region) and region != "全国"
    if value == "规章":
        return "地方政府规章" if local else "部门规章"
    if value == "法规":
        return "地方性法规" if local else "行政法规"
    return value  # unknown types are kept as given and rank with the lowest


def authority_level(doc_type: str | None) -> int:
    """The level of a type on the scale (0 = 宪法); unknown and missing types rank lowest."""
    return AUTHORITY_LEVELS.get(doc_type or "", LOWEST_LEVEL)


def rests_on(upper_type: str | None, upper_region: str | None, lower_type: str | None, lower_region: str | None,
             *, named: bool = False) -> bool:
    """Whether a text of (upper_type, upper_region) may be a basis (依据) of one of (lower_type, lower_region): of
    higher authority, or national above local at the same level; and national or of the same region, unless the
    lower text names it (a city's measures citing the province's 办法), which says where it stands."""
    national = upper_region in (None, "全国")
    if not named and not national and upper_region != lower_region:
        return False
    upper, lower = authority_level(upper_type), authority_level(lower_type)
    local = lower_region not in (None, "全国")
    return upper < lower or (local and (national or upper_region != lower_region) and upper <= lower)
