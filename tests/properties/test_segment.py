"""The segmenter on any text: turning a document into clauses (segment, and document_from_raw as parse_files and
`policy-search inspect` call it) never raises, and no text is lost.

Whitespace aside, the units' texts in order (an article's text after its label 第N条, which the locator keeps)
are the document's lines, less what is dropped on purpose:
- blank lines and placeholder lines (…………, ——, ***: PLACEHOLDER_RE);
- the header blocks read_header consumes as metadata: the title (one or two lines within the first three, or
  the first five marked as a title), the 发文机关 lines above it, the 文号 or 令 line within the first twelve,
  and a 印发 notice's second copy of the title it sends out;
- in a legal text (two or more lines starting 第N条): the 编/章/节 headings, an unnumbered 附则 and 附件 headings, which live on
  in the path of the units under them — so one with no unit under it before the next heading of its level,
  as the entries of a 目录 are, is left out — and 目录 itself outside an article.
"""

import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from indexer.lawtext import UNNUMBERED_HEADING
from indexer.metadata import read_header
from indexer.pipeline import document_from_raw
from indexer.readers import read_bytes
from indexer.segment import _APPENDIX_RE, _TOC_LINES, segment
from policy_search.errors import UnsupportedDocument
from policy_search.labels import ARTICLE_RE, PLACEHOLDER_RE, STRUCTURE_RE
from policy_search.model import ClauseKind
from policy_search.numerals import int_to_chinese
from tests.properties import PROPERTY

MAX_HEADING_CHARS = 60  # segment's limit for a 编/章/节 or 附件 heading line
NUMBERS = st.one_of(
    st.integers(1, 40).map(int_to_chinese),
    st.integers(1, 40).map(str),
    st.integers(1, 40).map(lambda n: str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))),
    st.sampled_from(["十十", "百", "两", "〇", "12345678901234567", "一亿零一"]),
)
SENTENCES = st.one_of(
    st.sampled_from([
        "为了保护和改善环境，制定本法。", "排放污染物的企业事业单位，应当采取措施，防治污染。", "违反前款规定的，责令改正。",
        "有下列情形之一的，处以罚款：", "未取得排污许可证排放污染物的；", "第五十九条规定的处罚，由县级以上人民政府决定。",
        "本办法自2024年1月1日起施行。", "加强组织领导。各地要高度重视。", "总则", "监督管理", "附则",
    ]),
    st.text(st.sampled_from("环境保护法第条款项一二三十章节编（）()、，。；：！？ 　1.\t…—*"), max_size=70),
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn")), max_size=30),
)
SPACE = st.sampled_from(["　", " ", "", "\u3000\u3000"])
ARTICLES = st.builds("第{}条{}{}".format, NUMBERS, st.sampled_from(["　", " ", "\u3000\u3000"]), SENTENCES)
HEADINGS = st.one_of(
    st.builds("第{}{}{}{}".format, NUMBERS, st.sampled_from(["编", "分编", "章", "节"]), SPACE, SENTENCES),
    st.builds("第{}条{}".format, NUMBERS, SENTENCES),  # 第五条规定的… is a sentence, not an article
    st.builds("第{}条之{}{}{}".format, NUMBERS, st.sampled_from(["一", "二", "十十"]), SPACE, SENTENCES),
    st.builds("{}{}{}".format, NUMBERS.map(lambda n: f"{n}、"), SPACE, SENTENCES),
    st.builds("（{}）{}".format, NUMBERS, SENTENCES),
    st.builds("{}.{}".format, st.integers(0, 30), SENTENCES),
    st.builds("（{}）{}".format, st.integers(0, 30), SENTENCES),
    st.builds("第{}部分{}{}".format, NUMBERS, SPACE, SENTENCES),
    st.builds("{}{}".format, st.sampled_from(["附件", "附件1", "附件二：", "附表", "附录三"]), SENTENCES),
)
LINES = st.one_of(
    ARTICLES, HEADINGS, HEADINGS, SENTENCES,
    st.sampled_from(["", "   ", "\u3000\u3000", "…………", "……", "——", "***", "。。。", "．．．"]),  # blank and placeholder lines
    st.sampled_from([  # lines a 公文 or law has besides its clauses
        "目录", "目　录", "示例市生态环境保护条例", "示府发〔2023〕12号", "示例市人民政府令 第12号", "示例市人民政府办公室文件",
        "各区县人民政府：", "同志们：", "特此通知。", "示例市人民政府", "2023年6月15日", "二〇二三年六月十五日",
        "抄送：市委办公厅。", "附件：1.示例清单", "（此件公开发布）", "联系人：张三，电话：12345678",
        "（2014年4月24日第十二届全国人民代表大会常务委员会第八次会议修订）", "现将《示例办法》印发给你们，请认真贯彻执行。",
        "示例市人民政府关于印发《示例办法》的通知", "示例办法",
    ]),
)
DOCUMENTS = st.one_of(  # outlines, and legal texts (two or more articles)
    st.lists(LINES, max_size=40), st.lists(st.one_of(ARTICLES, LINES), min_size=4, max_size=40)
).map("\n".join)
MAX_CHARS = st.sampled_from([12, 40, 500])  # small limits split units, so the parts are checked too
LAW = """中华人民共和国示例法
目录
第一章　总则
第二章　附则
第一章　总则
第一条　为了保护环境，制定本法。
第二条　有下列情形之一的：
（一）未批先建的；
（十十）……
第二章　附则
第三条　本法自公布之日起施行。"""


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _unit_texts(clauses) -> list[str]:
    """Each unit as it stood in the text: an article's label before its first part, then the text."""
    return [
        ((clause.locator.article or "") if clause.kind is ClauseKind.ARTICLE and clause.locator.part == 1 else "") + clause.text
        for clause in clauses
    ]


def _is_optional(line: str, legal: bool) -> bool:
    """A line a legal text keeps only in paths (or, 目录, not at all)."""
    if not legal:
        return False
    heading = bool(STRUCTURE_RE.match(line) or _APPENDIX_RE.match(line) or UNNUMBERED_HEADING.match(line)) and len(line) <= MAX_HEADING_CHARS
    return heading or line in _TOC_LINES


def assert_nothing_lost(lines: list[str], clauses) -> None:
    """The units' texts are the lines in order, each one kept or, where optional, left out (whitespace aside)."""
    kept = [line.strip() for line in lines if line.strip() and not PLACEHOLDER_RE.match(line.strip())]
    legal = sum(1 for line in kept if ARTICLE_RE.match(line)) >= 2
    out = _squeezed("".join(_unit_texts(clauses)))
    ends = {0}  # where in `out` the lines so far can have ended
    for line in kept:
        piece = _squeezed(line)
        reached = {end + len(piece) for end in ends if out.startswith(piece, end)}
        ends = reached | ends if _is_optional(line, legal) else reached
        assert ends, f"line {line!r} is not where it should be in the units"
    assert len(out) in ends, "the units hold text the document does not"
    text = _squeezed("".join(kept))  # an attachment's heading joins its mark and its title's lines (附件 + 条例)
    for clause in clauses:
        assert all(any(heading in line for line in kept) or _squeezed(heading) in text for heading in clause.locator.path)
        assert all(0 <= start <= end <= len(clause.text) for start, end in clause.locator.paragraphs)
        assert all(0 <= item.start <= item.end <= len(clause.text) for item in clause.locator.items)
    assert len({clause.clause_id for clause in clauses}) == len(clauses)


@given(DOCUMENTS, MAX_CHARS)
@settings(PROPERTY, max_examples=300)
@example(LAW, 500)
@example(LAW, 12)
@example("一二三四五六七八九十百千。", 12)  # one character over the limit, a sentence end last: split.py indexed past the end
@example("第一条　甲。\n第二条　乙。\n附件\n第一条　丙\n丁。", 500)  # 丁 came out before the appendix's 第一条
def test_segment_keeps_every_line(text, max_chars):
    if not text.strip():
        return  # an empty file is refused before it is read
    (raw,) = read_bytes("doc.txt", text.encode())
    assert_nothing_lost([block.text for block in raw.blocks], segment("d", raw, set(), max_chars))


@given(DOCUMENTS, MAX_CHARS)
@settings(PROPERTY, max_examples=300)
@example(LAW, 500)
@example("示例法\n第一条\u3000为了保护和改善环境，制定本法。\n附件\n条例\n", 500)  # found by a run: an attachment's mark over its title
def test_parsing_keeps_every_line_but_the_header(text, max_chars):
    if not text.strip():
        return
    (raw,) = read_bytes("doc.txt", text.encode())
    header = read_header(raw)
    assert all(i < 12 or _squeezed(raw.blocks[i].text) == _squeezed(header.title) for i in header.header_blocks)
    try:
        parsed = document_from_raw(raw, None, max_chars)
    except UnsupportedDocument as refused:
        assert refused.source == "doc.txt" and "no text to index" in refused.reason
        return
    body = [block.text for i, block in enumerate(raw.blocks) if i not in header.header_blocks]
    assert_nothing_lost(body, parsed.clauses)


def test_a_table_of_contents_lives_on_only_in_paths():
    (raw,) = read_bytes("doc.txt", LAW.encode())
    clauses = segment("d", raw, set())
    assert [(c.locator.article, c.locator.path) for c in clauses if c.kind is ClauseKind.ARTICLE] == [
        ("第一条", ("第一章　总则",)), ("第二条", ("第一章　总则",)), ("第三条", ("第二章　附则",))
    ]
    assert not any("目录" in c.text for c in clauses)
    second = next(c for c in clauses if c.locator.article == "第二条")
    assert [item.number for item in second.locator.items] == [1]  # （十十） is a 款, not an item numbered by nothing
