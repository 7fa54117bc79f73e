"""The 销号（验收）标准 and 佐证材料 drafted from a 销号办法 in the index, found by its wording and cited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.drafting.plan import DraftOptions, Problem, draft_plan
from service.drafting.signoff import find_signoff_rules
from service.retrieval.loaded import load_index
from service.retrieval.searcher import Searcher
from tests.conftest import SMALL_CORPUS, index_folder

# Worded unlike the bundled sample: 满足以下条件, 报送以下材料, a second 款 after the list, a 不予销号 article.
RULES = """东川市生态环境问题整改验收销号规定
第一条　为规范生态环境问题整改验收销号工作，制定本规定。
第五条　整改事项销号应当同时满足以下条件：
（一）整改任务全部完成，问题点位清理到位；
（二）相关监测数据连续三个月稳定达标；
（三）涉及的责任人已依法依规处理。
第六条　有下列情形之一的，不予销号：
（一）整改措施未落实的；
（二）问题出现反弹的。
第七条　申请验收销号的，应当报送以下材料：
（一）销号申请表；
（二）整改前后对比影像资料；
（三）第三方监测报告。
验收组应当对材料逐项审核。
第八条　本规定自2024年1月1日起施行。
"""
OTHER = """西岭省督察问题整改销号办法
第一条　为规范督察问题整改销号工作，制定本办法。
第九条　督察问题符合下列条件的，方可申请销号：
（一）整改目标已经实现；
（二）群众满意。
第十条　本办法自2023年6月1日起施行。
"""
PROBLEM = "部分企业通过暗管渗井偷排污水，逃避监管"


def _index(root: Path, extra: dict[str, tuple[str, str]], embedder=None) -> Searcher:
    """The small corpus and the given 销号 texts (name → (text, region)), indexed into root/index (for BM25
    alone without an embedder)."""
    folder = root / "corpus"
    folder.mkdir(parents=True)
    for name, text in SMALL_CORPUS.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name, (text, region) in extra.items():
        (folder / f"{name}.txt").write_text(text, encoding="utf-8")
        meta = {"region": region, "doc_type": "规范性文件"}
        (folder / f"{name}.meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    out = index_folder(folder, root / "index", embedder)
    return Searcher(load_index(out, embedder), embedder)


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    return _index(tmp_path_factory.mktemp("signoff"), {"rules": (RULES, "东川市")})


def test_conditions_and_materials_are_found_by_wording_and_cited(searcher):
    rules = find_signoff_rules(searcher.index)
    assert rules is not None and rules.title == "东川市生态环境问题整改验收销号规定"
    assert rules.conditions.citation == "《东川市生态环境问题整改验收销号规定》第五条"
    standard = rules.standard()
    assert standard.startswith("符合《东川市生态环境问题整改验收销号规定》第五条规定的销号条件：（一）整改任务全部完成")
    assert "（三）涉及的责任人已依法依规处理。" in standard and "不予销号" not in standard
    # the list is the first 款 of 第七条; the 款 after it is not a material
    assert rules.materials.citation == "《东川市生态环境问题整改验收销号规定》第七条第一款"
    evidence = rules.evidence()
    assert evidence == ("按照《东川市生态环境问题整改验收销号规定》第七条第一款规定提交："
                        "（一）销号申请表；（二）整改前后对比影像资料；（三）第三方监测报告。")


def test_a_draft_fills_empty_signoff_and_evidence_and_keeps_what_was_typed(searcher):
    typed = Problem("企业违法排污被罚款后拒不改正", signoff="处罚决定全部执行到位")
    draft = draft_plan(searcher, [Problem(PROBLEM), typed], DraftOptions())
    drafted, kept = draft.problems
    assert drafted["signoff"].startswith("符合《东川市生态环境问题整改验收销号规定》第五条规定的销号条件")
    assert drafted["evidence"].startswith("按照《东川市生态环境问题整改验收销号规定》第七条第一款规定提交")
    assert kept["signoff"] == "处罚决定全部执行到位" and kept["evidence"] == drafted["evidence"]
    assert [rule["citation"] for rule in draft.signoff_rules] == [
        "《东川市生态环境问题整改验收销号规定》第五条", "《东川市生态环境问题整改验收销号规定》第七条第一款"]


def test_an_index_without_a_signoff_text_drafts_nothing(small_index):
    out, embedder = small_index
    searcher = Searcher(load_index(out, embedder), embedder)
    assert find_signoff_rules(searcher.index) is None
    draft = draft_plan(searcher, [Problem(PROBLEM)], DraftOptions())
    assert draft.problems[0]["signoff"] is None and draft.signoff_rules == []


def test_of_two_regions_the_plans_own_is_taken_and_none_is_guessed(tmp_path):
    searcher = _index(tmp_path, {"rules": (RULES, "东川市"), "other": (OTHER, "西岭省")})
    assert find_signoff_rules(searcher.index) is None  # no region: another place's rules are not guessed
    rules = find_signoff_rules(searcher.index, "西岭省")
    assert rules.conditions.citation == "《西岭省督察问题整改销号办法》第九条" and rules.materials is None
    assert rules.evidence() == ""
    draft = draft_plan(searcher, [Problem(PROBLEM)], DraftOptions(region="东川市"))
    assert "《东川市生态环境问题整改验收销号规定》第五条" in draft.problems[0]["signoff"]


# Worded by structure only: the lists stand in chapters headed 销号标准 and 销号材料, and a list of what bars
# 销号 comes first in its chapter.
BY_HEADINGS = """南屏县环境问题整改销号细则
第一章　总则
第一条　为规范整改销号工作，制定本细则。
第二章　销号标准
第二条　有下列情形之一的，不予通过：
（一）问题反弹的；
（二）资料不全的。
第三条　整改事项应当做到：
（一）问题点位全部清理；
（二）群众无异议。
第三章　销号材料
第四条　整改单位应当准备：
（一）整改报告；
（二）现场照片。
第四章　附则
第五条　本细则自2024年3月1日起施行。
"""


def test_lists_under_signoff_headings_are_found_by_structure(tmp_path):
    searcher = _index(tmp_path, {"rules": (BY_HEADINGS, "南屏县")})
    rules = find_signoff_rules(searcher.index)
    assert rules.conditions.citation == "《南屏县环境问题整改销号细则》第三条"
    assert rules.conditions.body == "（一）问题点位全部清理；（二）群众无异议。"
    assert rules.materials.citation == "《南屏县环境问题整改销号细则》第四条"
    assert rules.evidence().endswith("规定提交：（一）整改报告；（二）现场照片。")
