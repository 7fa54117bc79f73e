"""scripts/check_law_texts.py: what it counts over a law's stored rows, before and after the repair."""

from tests.scripts import load_script

check = load_script("check_law_texts")

LAW = {
    "title": "中华人民共和国示例法",
    "status": "现行有效",
    "rows": [
        ("第一条", "为了保护环境，制定本\n法。"),
        ("第二条", "国土空间开发利 用应当符合规划。\n第二章 监督管理"),
        ("第三条", "本法自公布之日起施行。\n第四条 违反本法规定的，依法处罚。"),
        ("第五条", "本法所称税额，见下表。\n示例税额表\n税目 | 税额\n大气 | 1.2元"),
    ],
}


def test_the_stored_text_shows_each_fault_and_the_repaired_text_none():
    raw = check._findings(LAW, raw=True)
    # mid-sentence: the broken line and the table's caption; spaced: 开发利 用 and the label run into 第三条
    assert (len(raw["mid"]), len(raw["spaced"]), len(raw["heading"]), len(raw["gap"])) == (2, 2, 1, 1)
    assert len(raw["table"]) == 2  # two rows left inside the article
    repaired = check._findings(LAW, raw=False)
    assert (len(repaired["mid"]), len(repaired["spaced"]), len(repaired["heading"]), len(repaired["gap"])) == (0, 0, 0, 0)
    assert [a.label for a in repaired["articles"]] == ["第一条", "第二条", "第三条", "第四条", "第五条"]
    assert repaired["recovered"] == ["中华人民共和国示例法 第四条: label found inside the article before it"]
    assert repaired["table"] == ["中华人民共和国示例法 第五条: 示例税额表, 2 lines, after the article"]


def test_a_disagreement_between_the_sources_is_given_its_cause():
    assert check._text_cause("有下列情形：（一）", "有下列情形:（一）").startswith("punctuation forms only")
    assert check._text_cause("本法自公布之日起施行。", "本法自公布之日起施行。附：税额表").startswith("the eco corpus goes on")
    assert check._text_cause("本法自公布之日起施行。另有规定。", "本法自公布之日起施行。").startswith("the eco corpus text stops")
