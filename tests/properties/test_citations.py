"""The citation readers on any text: find_citations (queries, /cite, drafting) and mentions (documents) never
raise, and every citation they return stands in the text where its span says, naming the numbers it holds."""

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from policy_search.citations import DOC_NUMBER_RE, doc_number_key, find_citations, mentions
from policy_search.numerals import CHINESE_NUMERAL_CHARS, MAX_NUMBER, int_to_chinese, numeral_value
from tests.properties import PROPERTY

_NUM = rf"[{CHINESE_NUMERAL_CHARS}\d]+"
TITLES = ["中华人民共和国环境保护法", "环境保护法", "上海市实施〈中华人民共和国水法〉办法", "示例《条例》实施细则", "关于印发《办法》的通知"]
FRAGMENTS = [
    *(f"《{title}》" for title in TITLES), "《", "》", "〈", "〉", "环保法", "根据", "依照", "违反本法", "的规定", "。", "，",
    "第", "条", "款", "项", "之", "部分", "之二", "（", "）", "(", ")", "、", "和", "或者", "至", " ", "\u3000", "\n",
    "（2018年修正）", "（示办发〔2023〕12号）", "川办发〔2023〕12号", "环发[2019]3号", "〔", "〕", "号",
]
NUMERAL_RUNS = st.text(st.sampled_from("0123456789０１２３４５６７８９零〇一二三四五六七八九十百千万亿两"), min_size=1, max_size=40)
NUMBERS = st.one_of(st.integers(0, 300).map(int_to_chinese), st.integers(0, 300).map(str), NUMERAL_RUNS)
ARTICLES = st.builds("第{}{}".format, NUMBERS, st.sampled_from(["条", "条", "款", "部分", "条之二", "条之十十"]))
PLACES = st.one_of(
    ARTICLES,
    st.builds("{}{}{}项".format, st.sampled_from(["第（", "（", "(", "第"]), NUMBERS, st.sampled_from(["）", ")", ""])),
    st.builds("{}{}{}".format, st.sampled_from(["第", "第 ", "（", ""]), NUMBERS, st.sampled_from(["条", "款", "项", "）", "部分"])),
)
REFERENCES = st.builds(  # 《X》（note）第十条第二款、第（三）项: the shape both readers look for, with any numbers
    "{}{}{}".format,
    st.sampled_from([f"《{title}》" for title in TITLES] + ["环保法", "根据水法", "川办发〔2023〕12号"]),
    st.sampled_from(["", "", "（2018年修正）", "（示办发〔2023〕12号）", " "]),
    st.builds(  # a run of places: 第十条第二款、第三款和第十二条第（一）项
        lambda first, rest: first + "".join(sum(rest, ())), ARTICLES, st.lists(st.tuples(st.sampled_from(["", "、", "和", "至", "，"]), PLACES), max_size=4)
    ),
)
CITATION_SOUP = st.lists(
    st.one_of(REFERENCES, REFERENCES, st.sampled_from(FRAGMENTS), PLACES, NUMERAL_RUNS, st.text(max_size=6)), max_size=40
).map("".join)
LONG_CHARS = 5000


def _long(soup: str, times: int, run: str, at: int) -> str:
    text = (soup * times)[:LONG_CHARS]
    return text[:at] + run + text[at:]


# thousands of characters, drawn cheaply: a soup repeated, with a long numeral run somewhere in it
LONG_SOUP = st.builds(
    _long, CITATION_SOUP.filter(bool), st.integers(1, 200), st.text(st.sampled_from("1０一十百万"), max_size=3000),
    st.integers(0, LONG_CHARS),
)
# the ways one number is written in a citation
WRITINGS = (
    str,
    lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
    lambda n: int_to_chinese(n) if n <= MAX_NUMBER else str(n),
)


def _numbers(pattern: str, text: str, tails: bool = False) -> set[int | None]:
    """The numbers a pattern's group holds in the text; with tails, those of every tail of it (之二0项: 0)."""
    runs = re.findall(pattern, text)
    return {numeral_value(run[i:]) for run in runs for i in (range(len(run)) if tails else [0])}


def check_query_citations(query: str) -> None:
    found = find_citations(query)
    assert [c.span for c in found] == sorted(c.span for c in found)
    for citation in found:
        start, end = citation.span
        assert 0 <= start < end <= len(query)
        assert query[start:end].strip() == citation.text
        assert all(name and name in citation.text for name in citation.names)
        if citation.doc_number:
            assert citation.doc_number in {doc_number_key(m.group(0)) for m in DOC_NUMBER_RE.finditer(citation.text)}
        if citation.article is None:
            assert (citation.article_number, citation.paragraph, citation.item) == (None, None, None)
            continue
        if citation.unit == "项":  # a measure cited by its number alone: 《X》第（二十九）项
            assert (citation.article_number, citation.paragraph) == (None, None)
            assert citation.article == f"第（{int_to_chinese(citation.item)}）项"
            assert citation.item in _numbers(rf"[（(]\s*({_NUM})\s*[)）]\s*项", citation.text)
            continue
        assert citation.article.startswith(f"第{int_to_chinese(citation.article_number)}{citation.unit}")
        assert citation.article_number in _numbers(rf"第\s*({_NUM})\s*(?:条|部分)", citation.text)
        if citation.paragraph is not None:
            assert citation.paragraph in _numbers(rf"第\s*({_NUM})\s*款", citation.text)
        if citation.item is not None:
            assert citation.item in _numbers(rf"({_NUM})[)）]?\s*项", citation.text, tails=True)


def check_mentions(text: str) -> None:
    found = mentions(text)
    assert [m.start for m in found] == sorted(m.start for m in found)
    for mention in found:
        assert 0 <= mention.start < mention.end <= mention.after <= len(text)
        where = text[mention.start : mention.end]
        if mention.title is None:
            assert where == mention.text and mention.doc_number == doc_number_key(where)
            continue
        assert mention.text.startswith("《") and mention.title in mention.text and mention.title in text[: mention.after]
        if mention.article is None:
            assert where == mention.text
            continue
        # the most specific place named is the last number in the span (or its 之N)
        last = re.findall(_NUM, where)[-1]
        if mention.item is not None:
            assert where.endswith("项") and numeral_value(last) == mention.item
        elif mention.paragraph is not None:
            assert where.endswith("款") and numeral_value(last) == mention.paragraph
        elif mention.sub:
            assert where.endswith(f"之{mention.sub}")
        else:
            assert where.endswith(mention.unit) and numeral_value(last) == mention.article


@given(CITATION_SOUP)
@settings(PROPERTY, max_examples=400)
@example("《环境保护法》第十十条")
@example("环保法第12345678901234567条第（一）项")
@example("《水法》第一条第二款、第十十款第（三）项和第四条")
@example("《《》》第１２条之二第三款(四)项")
def test_any_text_gives_citations_that_stand_where_they_say(text):
    check_query_citations(text)
    check_mentions(text)


@given(LONG_SOUP)
@settings(PROPERTY, max_examples=15)
def test_texts_of_thousands_of_characters_too(text):
    check_query_citations(text)
    check_mentions(text)


@given(
    title=st.sampled_from(TITLES),
    places=st.tuples(*[st.one_of(st.integers(1, 300), st.integers(1, 10**18))] * 3),
    writings=st.tuples(*[st.sampled_from(WRITINGS)] * 3),
)
@settings(PROPERTY, max_examples=300)
def test_a_written_citation_is_read_with_its_numbers_or_not_at_all(title, places, writings):
    written = [write(n) for write, n in zip(writings, places)]
    text = f"依照《{title}》第{written[0]}条第{written[1]}款第（{written[2]}）项的规定"
    read = [(c.article_number, c.paragraph, c.item) for c in find_citations(text)]
    mentioned = [(m.article, m.paragraph, m.item) for m in mentions(text)]
    if max(places) <= MAX_NUMBER:
        assert read == [places] and mentioned == [places]
    else:  # a number past 16 digits is no citation: the title alone is left
        assert read == [(None, None, None)]
        assert places not in mentioned
