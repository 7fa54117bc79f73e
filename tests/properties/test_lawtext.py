"""The law-text repair on any rows: it never raises and never loses a character of text. Only whitespace,
the rules drawn between table rows and the cell bars it redraws may go; …… marks an article's lost opening."""

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.lawtext import repair_articles
from tests.properties import PROPERTY

FRAGMENTS = [
    "国家", "保护", "环境", "开发利", "用", "。", "，", "；", "：", "“", "”", "（", "）", "（一）", "（二）", "1.", " ", "\u3000",
    "\n", "。\n", "，\n", "\n（一）", "；\n（二）", "的\n", "\n第二章 监督 管理\n", "第二章 监督 管理", "第三编 生态保护", "附 则", "第四条 ", "第十二条 ", "附件一", "附：", "示例税额表", "| 税目 | 税额 |",
    "+----+----+", "------- -------", "级数 税率", "0.\u20095", "PM2.5", " mg", "（2009年8月27日删除）", "违反本法规定",
]
ROW_TEXT = st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join)
LABELS = st.sampled_from(["第一条", "第二条", "第三条", "第五条", "第十条", "第十一条", "第十三条", "全文", ""])
IGNORED = set(" \t\u3000\u2009\n-=+:|…")


def _characters(texts) -> Counter:
    return Counter(char for text in texts for char in text if char not in IGNORED)


@settings(PROPERTY, max_examples=300)
@given(st.lists(st.tuples(LABELS, ROW_TEXT), min_size=1, max_size=8))
def test_repair_keeps_every_character(rows):
    articles = repair_articles(rows)
    out = []
    for article in articles:
        out += [article.label, *article.lines, *article.headings]
        for appendix in article.appendices:
            out += [appendix.caption if appendix.caption != "附表" or not appendix.table else "", *appendix.lines]
    synthesized = _characters(article.label for article in articles if article.opening_lost)
    assert _characters(out) == _characters([label for label, _ in rows] + [text for _, text in rows]) + synthesized
