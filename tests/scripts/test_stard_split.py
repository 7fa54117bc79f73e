"""The STARD tuning/held-out split: no article answers queries on both sides."""

import json

from tests.scripts import load_script

stard = load_script("stard")


def _rows() -> list[dict]:
    rows = []
    for group in range(300):  # chains of queries sharing articles: q0 {a, b}, q1 {b, c}, q2 {c}
        a = group * 10
        rows += [{"relevant": [a, a + 1]}, {"relevant": [a + 1, a + 2]}, {"relevant": [a + 2]}]
    rows += [{"relevant": [5000, 5001 + i]} for i in range(60)]  # one group larger than a held-out group may be
    return rows


def test_groups_of_linked_queries_stay_on_one_side():
    rows = _rows()
    flags = stard.held_out_flags(rows)
    for start in range(0, 900, 3):
        assert len(set(flags[start : start + 3])) == 1, f"chain at row {start} straddles the split"
    held_articles = {a for row, held in zip(rows, flags) if held for a in row["relevant"]}
    tuning_articles = {a for row, held in zip(rows, flags) if not held for a in row["relevant"]}
    assert not held_articles & tuning_articles
    assert not any(flags[900:]), "a group of 60 queries must stay in tuning"
    assert 0.1 < sum(flags) / len(flags) < 0.3
    assert flags == stard.held_out_flags(rows)


def test_queries_carry_titles_articles_and_ids(tmp_path):
    corpus = [{"id": i, "title": "中华人民共和国刑法", "article": f"第{i}条", "text": "…"} for i in range(3)]
    (tmp_path / "corpus.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in corpus), encoding="utf-8")
    train = [{"qid": 0, "query": "问一", "relevant": [0, 1]}, {"qid": 1, "query": "问二", "relevant": [2, 99]}]
    (tmp_path / "train.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in train), encoding="utf-8")
    everything = stard.stard_queries(tmp_path, "all")
    assert [q["ids"] for q in everything] == [[0, 1], [2]]  # an id missing from the corpus is dropped
    assert everything[0]["relevant"] == [{"file": "中华人民共和国刑法", "article": "第0条"}, {"file": "中华人民共和国刑法", "article": "第1条"}]
    split = stard.stard_queries(tmp_path, "heldout") + stard.stard_queries(tmp_path, "tuning")
    assert sorted(q["query"] for q in split) == ["问一", "问二"]


def test_a_model_tuned_on_every_question_is_said_to_have_seen_the_held_out_part():
    evaluate = load_script("evaluate")
    for split, expect in (("all", {"heldout": True, "tuning": True}), ("tuning", {"heldout": False, "tuning": True})):
        record = {"data": f"STARD train.jsonl, {split} (scripts/stard.py)"}  # as scripts/tune_embedder.py writes it
        assert {part: evaluate.stard_seen(record, part) for part in expect} == expect, split
    assert not evaluate.stard_seen({}, "heldout")  # no record: a model not tuned here


def test_the_held_out_part_halves_into_choice_and_unseen_by_groups():
    rows = _rows()
    names = stard.split_names(rows)
    assert [name != "tuning" for name in names] == stard.held_out_flags(rows)
    assert {"choice", "unseen"} <= set(names)
    for start in range(0, 900, 3):
        assert len(set(names[start : start + 3])) == 1, f"chain at row {start} straddles the halves"
    cited = {a for row, name in zip(rows, names) if name != "unseen" for a in row["relevant"]}
    assert not any(cited & set(row["relevant"]) for row, name in zip(rows, names) if name == "unseen")
    assert names == stard.split_names(rows)


def test_an_unknown_split_is_refused(tmp_path):
    import pytest

    with pytest.raises(ValueError, match="unseen"):
        stard.stard_queries(tmp_path, "test")
