"""Duty ↔ penalty links: named (违反本法第X条) and described (the penalty item in the duty's words)."""

from __future__ import annotations

import pytest

from indexer.links import document_links, referenced_duties
from indexer.pipeline import parse_files
from tests.conftest import shared_path

LAW = """中华人民共和国示例法
第二条　排污单位应当依照本法规定申请取得排污许可证；未取得排污许可证的，不得排放污染物。
第三条　本法所称排污单位，是指依法实行排污许可管理的企业事业单位。
第四条　严禁通过暗管、渗井、渗坑、灌注等逃避监管的方式排放污染物。
第五条　建设项目应当依法进行环境影响评价。
第二十条　违反本法规定，有下列行为之一的，责令改正，处二十万元以上一百万元以下的罚款：
（一）未取得排污许可证排放污染物的；
（二）通过暗管、渗井等逃避监管的方式排放污染物的。
第二十一条　违反本法第五条规定，未依法进行环境影响评价擅自开工建设的，责令停止建设，处罚款。
"""


@pytest.fixture
def links(tmp_path):
    path = tmp_path / "示例法(2020-01-01).txt"
    path.write_text(LAW, encoding="utf-8")
    (doc,) = parse_files([path]).documents
    label = {c.clause_id: c.locator.article for c in doc.clauses}
    return {(label[d], label[p]) for d, p in document_links(doc.clauses)}


def test_described_violations_link_to_the_duty_in_whose_words_they_are(links):
    assert ("第二条", "第二十条") in links
    assert ("第四条", "第二十条") in links


def test_named_references_link(links):
    assert ("第五条", "第二十一条") in links
    assert referenced_duties("违反本条例第二条、第三条第一款规定的") == ["第二条", "第三条"]


def test_definitions_and_unrelated_articles_are_not_linked(links):
    assert not any(duty == "第三条" for duty, _ in links)
    assert not any(penalty in ("第二条", "第四条", "第五条") for _, penalty in links)


@pytest.mark.parametrize(
    "file, duty, penalty",
    [
        ("环境保护法(2014-04-24).txt", "第四十五条", "第六十三条"),
        ("排污许可管理条例(2021-01-24).txt", "第二条", "第三十三条"),
        ("水污染防治法(2017-06-27).txt", "第三十九条", "第八十三条"),
        ("大气污染防治法(2018-10-26).txt", "第七十条", "第一百一十六条"),
    ],
)
def test_links_in_real_laws(file, duty, penalty):
    (doc,) = parse_files([shared_path("corpus", "eco", file)]).documents
    label = {c.clause_id: c.locator.article for c in doc.clauses}
    assert (duty, penalty) in {(label[d], label[p]) for d, p in document_links(doc.clauses)}
