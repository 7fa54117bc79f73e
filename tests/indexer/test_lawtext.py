"""The repair of law texts: a law database's rows and a PDF of the same law segment alike."""

from __future__ import annotations

import sqlite3

import pytest

from indexer.lawtext import continues, ends_sentence, remove_spaces, repair_articles
from indexer.pipeline import document_from_raw, parse_law_database
from indexer.readers.pdf import read_pdf
from policy_search.model import ClauseKind
from tests.indexer.test_readers_formats import _make_pdf, _typeset

TITLE = "中华人民共和国示例保护法"

# The rows as the database stores them: a sentence broken mid-line, spaces between characters, a
# heading at the end of an article, a label inside the article before it, and a table after the last.
ROWS = [
    ("第一章 总 则", "第一条", "为了保护和改善环境，防治污染和其他公害，保障公众健康，推进生态文明建设，制定本\n法。"),
    ("第一章 总 则", "第二条", "国土空间开发利 用活动应当符合国土空间规划。\n外 来入侵物种的防控由县级以上人民政府统一负责。\n第二章 监督 管理"),
    ("第二章 监督管理", "第三条", "企业事业单位有本法规定的违法情形，其负有\n责任的领导人员和直接责任人员属于公职人员的，依法给予处分。\n第四条 违反本法规定，有下列行为之一的，处二万元以上二十万元以下的罚款：\n（一）未按照规定\n报告的；\n（二）拒绝检查的。"),
    ("第二章 监督管理", "第五条", "本法自2026年8月15日起施行，PM2.5 的年均浓度目标另行规定。\n示例税目税额表\n税 目 | 计税单位 | 税 额\n大气污染物 | 每污染当量 | 1.2元\n水污染物 | 每污染当量 | 1.4元"),
]

ARTICLES = {
    "第一条": ["为了保护和改善环境，防治污染和其他公害，保障公众健康，推进生态文明建设，制定本法。"],
    "第二条": ["国土空间开发利用活动应当符合国土空间规划。", "外来入侵物种的防控由县级以上人民政府统一负责。"],
    "第三条": ["企业事业单位有本法规定的违法情形，其负有责任的领导人员和直接责任人员属于公职人员的，依法给予处分。"],
    "第四条": ["违反本法规定，有下列行为之一的，处二万元以上二十万元以下的罚款：", "（一）未按照规定报告的；", "（二）拒绝检查的。"],
    "第五条": ["本法自2026年8月15日起施行，PM2.5 的年均浓度目标另行规定。"],
}


def _database(path, rows=ROWS, title=TITLE):
    connection = sqlite3.connect(path)
    connection.executescript(
        "CREATE TABLE laws (law_id TEXT, law_name TEXT, doc_type TEXT, issuing_body TEXT, publish_date TEXT,"
        " effective_date TEXT, version_date TEXT, status TEXT);"
        "CREATE TABLE articles (id INTEGER PRIMARY KEY, law_id TEXT, chapter TEXT, section TEXT, article_no TEXT, article_text TEXT);"
    )
    connection.execute("INSERT INTO laws VALUES ('x', ?, '法律', '全国人民代表大会常务委员会', '2026-03-12', '2026-08-15', '2026-03-12', '现行有效')", (title,))
    connection.executemany(
        "INSERT INTO articles (law_id, chapter, section, article_no, article_text) VALUES ('x', ?, NULL, ?, ?)", rows
    )
    connection.commit()
    connection.close()
    return path


@pytest.fixture()
def law(tmp_path):
    result = parse_law_database(_database(tmp_path / "laws.db"), None)
    assert not result.failures
    (document,) = result.documents
    return document


def _articles(document) -> dict[str, list[str]]:
    found = {}
    for clause in document.clauses:
        if clause.kind is ClauseKind.ARTICLE:
            found[clause.locator.article] = [clause.text[start:end] for start, end in clause.locator.paragraphs]
    return found


def test_broken_lines_are_joined_and_spaces_between_characters_removed(law):
    articles = _articles(law)
    assert articles["第一条"] == ARTICLES["第一条"]
    assert articles["第二条"] == ARTICLES["第二条"]  # two 款, no spaces inside words
    assert articles["第三条"] == ARTICLES["第三条"]  # one sentence is one 款, not two


def test_a_label_inside_another_article_becomes_its_own_article(law):
    articles = _articles(law)
    assert list(articles) == ["第一条", "第二条", "第三条", "第四条", "第五条"]
    assert articles["第四条"] == ["\n".join(ARTICLES["第四条"])]  # one 款 with its two items
    clause = next(c for c in law.clauses if c.locator.article == "第四条")
    assert [item.label for item in clause.locator.items] == ["（一）", "（二）"]
    assert clause.text.split("\n")[1] == "（一）未按照规定报告的；"  # a broken item is joined too


def test_a_heading_inside_an_article_moves_into_the_outline(law):
    second = next(c for c in law.clauses if c.locator.article == "第二条")
    third = next(c for c in law.clauses if c.locator.article == "第三条")
    assert "第二章" not in second.text
    assert second.locator.path == ("第一章　总则",)
    assert third.locator.path == ("第二章　监督管理",)


def test_a_table_stays_a_table_after_the_article(law):
    articles = _articles(law)
    assert articles["第五条"] == ARTICLES["第五条"]  # the table is no 款 of the last article
    (table,) = [c for c in law.clauses if "大气污染物" in c.text]
    assert table.kind is not ClauseKind.ARTICLE
    assert table.locator.path == ("示例税目税额表",)
    assert table.text.split("\n") == ["税目 | 计税单位 | 税额", "大气污染物 | 每污染当量 | 1.2元", "水污染物 | 每污染当量 | 1.4元"]


def test_a_missing_article_whose_label_was_lost_is_recovered_and_marked():
    rows = [
        ("第十条", "违反本法规定，未报告的，处一万元以下的罚款。\n境主管部门责令改正，处二万元以上的罚款：\n（一）未安装设施；\n（二）未正常使用设施。"),
        ("第十二条", "本法自公布之日起施行。"),
    ]
    articles = repair_articles(rows)
    assert [a.label for a in articles] == ["第十条", "第十一条", "第十二条"]
    assert articles[0].lines == ["违反本法规定，未报告的，处一万元以下的罚款。"]
    assert articles[1].opening_lost and articles[1].lines[0].startswith("……境主管部门")
    # without a gap in the numbering nothing is split off
    kept = repair_articles([(rows[0][0], rows[0][1]), ("第十一条", "本法自公布之日起施行。")])
    assert len(kept[0].lines) == 4


@pytest.mark.parametrize(
    ("line", "ends"),
    [("制定本法。", True), ("有下列情形之一的：", True), ("“禁止排放。”", True), ("施行。（2009年8月27日删除）", True),
     ("（1978年5月24日通过）", True), ("其负有", False), ("按照“占多少，垦多少", False), ("委员长，", False)],
)
def test_what_ends_a_sentence(line, ends):
    assert ends_sentence(line) is ends


def test_spaces_that_separate_numbers_or_latin_words_stay():
    assert remove_spaces("开发利 用 PM2.5 浓度 10 mg，含量 0.\u20090005") == "开发利用 PM2.5 浓度 10 mg，含量 0.0005"
    assert remove_spaces("第五条\u3000国家 鼓励") == "第五条\u3000国家鼓励"


def test_a_pdf_and_a_database_row_of_one_law_segment_alike(law):
    lines = [
        "第一章　总　　则",
        "第一条　" + ARTICLES["第一条"][0],
        "第二条　" + ARTICLES["第二条"][0],
        ARTICLES["第二条"][1],
        "第二章　监督管理",
        "第三条　" + ARTICLES["第三条"][0],
        "第四条　" + ARTICLES["第四条"][0],
        *ARTICLES["第四条"][1:],
        "第五条　" + ARTICLES["第五条"][0],
    ]
    raw = read_pdf("law.pdf", _make_pdf([_typeset([TITLE, *lines], pitch=18)]))
    pdf = document_from_raw(raw, {"title": TITLE, "doc_type": "法律"})
    from_pdf = _articles(pdf)
    from_db = _articles(law)
    assert from_pdf == from_db
    paths = {c.locator.article: c.locator.path for c in pdf.clauses if c.kind is ClauseKind.ARTICLE}
    assert paths["第一条"] == ("第一章　总则",) and paths["第三条"] == ("第二章　监督管理",)


@pytest.mark.parametrize(
    ("head", "tail", "joined"),
    [
        ("企业事业单位有本法规定的违法情形，其负有", "责任的领导人员和直接责任人员属于公职人员的，依法给予处分。", True),
        ("委员长，", "副委员长若干人，", True),  # a list inside one 款
        ("（一）关于人身伤亡的赔偿请求", "1.300总吨至500总吨的船舶，赔偿限额为333000计算单位；", False),  # a sub-item
        ("中华人民共和国国徽图案", "（1950年6月28日中央人民政府委员会第八次会议通过）", False),  # a note
        ("个人所得税税率表一（综合所得适用）", "级数 全年应纳税所得额 税率（%）", False),  # a caption over a table
        ("本法自公布之日起施行。", "第二章　附则", False),
    ],
)
def test_which_lines_continue_the_one_before(head, tail, joined):
    assert continues(head, tail) is joined
