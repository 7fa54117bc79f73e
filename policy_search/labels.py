"""The numbering marks of Chinese legal and official texts: 编/章/节/条, 项/目, and 一、（一）1.（1） headings."""

from __future__ import annotations

import re

from policy_search.numerals import CHINESE_NUMERAL_CHARS as _N
from policy_search.numerals import chinese_to_int

# Whitespace as it appears after labels: ASCII, U+3000 ideographic space, NBSP.
_WS = r"[ \t\u3000\u00a0]"

# 第五十九条　… — the label must be followed by whitespace (or end the line), so that a sentence
# that merely begins with a reference ("第五十九条规定的…") is not taken for a new article.
ARTICLE_RE = re.compile(rf"^{_WS}*(第([{_N}\d]+)条(?:之[{_N}]+)?)(?:{_WS}+|$)")
# 第一编 / 第二分编 / 第三章 / 第四节, followed by whitespace and a name, by a short name with no
# punctuation (第二章资源保护, as some sources print it), or by nothing.
STRUCTURE_RE = re.compile(
    rf"^{_WS}*(第[{_N}\d]+(分编|编|章|节))(?:{_WS}+(.*)|([^\s，。；：、,;:（(]{{1,30}}))?$"
)
STRUCTURE_LEVEL = {"编": 0, "分编": 1, "章": 2, "节": 3}

# Items inside an article: （一） or (一) is a 项; 1. / 1、 / （1） is a 目.
ITEM_RE = re.compile(rf"^{_WS}*([（(]([{_N}]+)[)）]|([{_N}]+)、)")
SUBITEM_RE = re.compile(rf"^{_WS}*((\d+)[.．、](?!\d)|[（(](\d+)[)）])")

# Headings of speeches, notices, plans: level 1 一、 level 2 （一） level 3 1. level 4 （1）.
_OUTLINE_PATTERNS = (
    (1, re.compile(rf"^{_WS}*(第[{_N}]+部分|[{_N}]+、)")),
    (2, re.compile(rf"^{_WS}*([（(][{_N}]+[)）])")),
    (3, re.compile(rf"^{_WS}*(\d+[.．、](?!\d))")),
    (4, re.compile(rf"^{_WS}*([（(]\d+[)）])")),
)

# Where the text of an attachment starts (附件1, 附件2 广州市……指标体系); as the first heading of a path, it keeps
# the attachment's numbered parts apart from the document's own.
ATTACHMENT_RE = re.compile(rf"^附件{_WS}*[\d０-９{_N}]{{0,3}}(?:{_WS}+\S.{{0,100}})?$")

# A line that only stands for omitted text: …………, ……, ——, ***.
PLACEHOLDER_RE = re.compile(r"^[\s\u3000…\.。·\-—_*＊]+$")


def heading_label(line: str) -> tuple[int, str] | None:
    """The outline level and label of a numbered heading line (1, '二、'), or None."""
    for level, pattern in _OUTLINE_PATTERNS:
        match = pattern.match(line)
        if match:
            return level, match.group(1)
    return None


def label_core(label: str) -> str:
    """The numeral of a label as written: 三、 → 三, （二） → 二, 1. → 1, 第四部分 → 四."""
    core = label.strip("（）()、.．　 ")
    if core.startswith("第") and core.endswith("部分"):
        core = core[1:-2]
    return core


def label_number(label: str) -> int | None:
    """The number a heading label stands for (三、 → 3), or None when it holds no numeral."""
    try:
        return chinese_to_int(label_core(label))
    except ValueError:
        return None


def attachment_label(heading: str) -> str | None:
    """附件1 of an attachment's heading (附件1 关于……的报告), or None for any other heading."""
    if not ATTACHMENT_RE.match(heading):
        return None
    return re.split(rf"{_WS}+", heading, maxsplit=1)[0]
