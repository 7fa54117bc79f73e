"""The BM25 tokenizer over its compact dictionary cuts every text into the words jieba's own dictionary gives."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from policy_search import tokenize, wordfreq
from policy_search.tokenize import ClauseTokenizer

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
TITLES = ["环境保护法", "中华人民共和国环境保护法", "生态环境法典", "示例市十二条措施", "大气污染防治法"]
TEXTS = [
    "",
    "   ",
    "排污许可 按日连续处罚",
    "违反本法规定，排放水污染物超过标准的，由县级以上人民政府环境保护主管部门责令改正或者责令限制生产、停产整治。",
    "《中华人民共和国环境保护法》第五十九条第一款 生态环境法典第一千零六十条",
    "示办发〔2023〕12号 第（三）项 “四不两直”",
    "ＡＢＣ１２３ COD 50mg/L; NH3-N 5 mg/L (GB 8978-1996) PM2.5",
    "工厂晚上偷偷往河里排污水怎么管？",
    "a\x00b 排污\x00许可 \x00",
    "日本語 한국어 😀 𠀀 ①② ℃",
    "大气污染防治" * 300,
]


def _random_texts(count: int) -> list[str]:
    alphabet = "排污许可证环境保护法生态大气水土壤罚款责令改正整治示例市条措施ＡＢＣ１２３，。“”《》 \x00a1"
    rng = random.Random(0)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(count)]


@pytest.fixture(scope="module")
def tokenizers(tmp_path_factory):
    """(jieba's own dictionary, the compact one saved from it)."""
    full = ClauseTokenizer(TITLES)
    folder = tmp_path_factory.mktemp("generation") / "words"
    full.save_compact(folder)
    compact = ClauseTokenizer(TITLES, compact=folder)
    assert compact._jieba is None  # nothing of jieba's dictionary loaded
    return full, compact


def test_the_same_words_as_jiebas_own_dictionary(tokenizers, monkeypatch):
    full, compact = tokenizers
    monkeypatch.setattr(tokenize, "COMPACT_TEXTS", 10**9)
    for text in TEXTS + _random_texts(400):
        assert compact.tokens(text) == full.tokens(text), repr(text[:60])
    assert compact._jieba is None


def test_the_same_words_on_the_eco_corpus_and_queries(tokenizers, monkeypatch):
    full, compact = tokenizers
    if not (SHARED / "corpus" / "eco").is_dir():
        pytest.skip("../shared is absent")
    monkeypatch.setattr(tokenize, "COMPACT_TEXTS", 10**9)
    lines = [line for path in sorted((SHARED / "corpus" / "eco").glob("*.txt"))[:20]
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    queries = [json.loads(line)["query"] for line in (SHARED / "eval" / "eco_dev2.jsonl").read_text(encoding="utf-8").splitlines()]
    for text in random.Random(2).sample(lines, min(800, len(lines))) + queries:
        assert compact.tokens(text) == full.tokens(text), text[:60]


def test_after_its_first_texts_the_whole_dictionary_is_built_in_the_background(tmp_path, monkeypatch):
    full = ClauseTokenizer(TITLES)
    full.save_compact(tmp_path / "words")
    compact = ClauseTokenizer(TITLES, compact=tmp_path / "words")
    monkeypatch.setattr(tokenize, "COMPACT_TEXTS", 3)
    text = "排污许可 按日连续处罚 违反本法规定"
    for _ in range(3):
        assert compact.tokens(text) == full.tokens(text)
    assert compact._jieba is None
    assert compact.tokens(text) == full.tokens(text)  # starts the build, answers through the compact form
    deadline = time.monotonic() + 60
    while compact._jieba is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert compact._jieba is not None
    assert compact._jieba.FREQ == full._jieba.FREQ and compact._jieba.total == full._jieba.total  # jieba's own
    for text in TEXTS:
        assert compact.tokens(text) == full.tokens(text)


def test_a_compact_form_of_another_dictionary_or_none_is_not_used(tmp_path):
    ClauseTokenizer(["另一部法"]).save_compact(tmp_path / "other")
    assert ClauseTokenizer(TITLES, compact=tmp_path / "other")._jieba is not None  # another fingerprint
    assert ClauseTokenizer(TITLES, compact=tmp_path / "nowhere")._jieba is not None  # an index written before


def test_a_dictionary_that_is_not_prefix_closed_is_refused(tmp_path):
    with pytest.raises(ValueError):
        wordfreq.write_compact({"排污许可": 5}, 5, tmp_path / "words", stamp={})
    assert not (tmp_path / "words").exists()
    wordfreq.write_compact({"排": 0, "排污": 3, "许": 2}, 5, tmp_path / "words", stamp={"a": 1})
    compact = wordfreq.CompactFrequencies(tmp_path / "words")
    assert compact.frequencies("排污许可") == {"排": 0, "排污": 3, "许": 2} and compact.total == 5
    assert compact.frequencies("") == {} and compact.stamp == {"a": 1}


def test_a_second_generation_of_the_same_dictionary_shares_the_files_of_the_first(tmp_path):
    words = {"排": 0, "排污": 3, "许": 2}
    wordfreq.write_compact(words, 5, tmp_path / "g1", stamp={"shared": 1})
    wordfreq.write_compact(words, 5, tmp_path / "g2", stamp={"shared": 1})
    assert (tmp_path / "g2" / "words2.npy").stat().st_ino == (tmp_path / "g1" / "words2.npy").stat().st_ino
    assert wordfreq.CompactFrequencies(tmp_path / "g2").frequencies("排污") == {"排": 0, "排污": 3}

    for path in (tmp_path / "g2").iterdir():  # the folder it shared from is gone: written afresh
        path.unlink()
    (tmp_path / "g2").rmdir()
    wordfreq.write_compact(words, 5, tmp_path / "g3", stamp={"shared": 1})
    wordfreq.write_compact({"许": 1}, 1, tmp_path / "g4", stamp={"shared": 2})  # another stamp: its own words
    assert wordfreq.CompactFrequencies(tmp_path / "g3").frequencies("排污许") == {"排": 0, "排污": 3, "许": 2}
    assert wordfreq.CompactFrequencies(tmp_path / "g4").frequencies("排污许") == {"许": 1}
    assert (tmp_path / "g4" / "words1.npy").stat().st_ino != (tmp_path / "g3" / "words1.npy").stat().st_ino
