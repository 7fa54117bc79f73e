"""Training pairs from the corpus's own structure: restatements, citations, duty ↔ penalty, headings."""

from service.retrieval.loaded import load_index
from tests.scripts import load_script

pairs = load_script("structure_pairs")


def test_a_citation_is_cut_out_of_the_citing_clause():
    text = "违反本条例规定，依照《中华人民共和国环境保护法》第五十九条的规定按日连续处罚。"
    assert pairs.strip_citations(text) == "违反本条例规定，按日连续处罚。"
    assert pairs.strip_citations("根据《水污染防治法》，制定本条例。") == "制定本条例。"


def test_pairs_come_from_the_links_the_index_holds(small_index):
    folder, _ = small_index
    index = load_index(folder, None, {"backend": "local"})
    found = pairs.raw_pairs(index)
    assert found["duty_penalty"], "the small corpus links 第四十二条 to 第六十三条"
    for kind, rows in found.items():
        for question, target, text in rows:
            assert text and 0 <= target < len(index.clauses)
            if question >= 0:
                assert index.doc_of[question] != index.doc_of[target] or kind == "duty_penalty"
    by_text = {text: index.clauses[target].locator.article for _, target, text in found["duty_penalty"]}
    duty = next(c.text for c in index.clauses if c.locator.article == "第四十二条")
    assert by_text.get(duty) == "第六十三条"
    assert not any(text in ("总则", "法律责任") for _, _, text in found["heading"]), "generic headings teach nothing"


def test_examples_have_the_tuning_shape_and_negatives_from_other_documents(small_index):
    folder, _ = small_index
    index = load_index(folder, None, {"backend": "local"})
    examples = pairs.structure_examples(index, per_kind=50, negatives=2, seed=1)
    assert examples and {e["kind"] for e in examples} <= set(pairs.KINDS)
    for example in examples:
        assert len(example["query"]) >= pairs.MIN_QUESTION_CHARS and len(example["positives"]) == 1
        assert example["positives"][0] not in example["negatives"]
    assert examples == pairs.structure_examples(index, per_kind=50, negatives=2, seed=1)
    assert len(pairs.structure_examples(index, per_kind=1, negatives=0, seed=1)) <= len(pairs.KINDS)
