"""Searching through the exported query graph: the same vectors, and PyTorch never imported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from policy_search.embedding.encoder import DEFAULT_DENSE_WEIGHT, model_fingerprint
from policy_search.embedding.loading import load_embedder
from policy_search.embedding.onnx_query import graph_path
from policy_search.embedding.query_only import OnnxQueryEmbedder, exported_graph
from policy_search.embedding.unigram import CompactUnigram

ROOT = Path(__file__).resolve().parents[2]
WORDS = ["<s>", "<pad>", "</s>", "<unk>", "query", ":", "排污", "许可", "处罚", "按日", "连续", "河流", "水源"]
DIMENSION = 8
MAX_LENGTH = 6
HEAVY = ("torch", "transformers", "sentence_transformers", "sklearn", "scipy", "openpyxl", "docx")  # sklearn: lightgbm imports it if let;
# scipy: bm25s imports it if let; openpyxl, docx: only exports need them


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _tokenizer(path: Path) -> None:
    from tokenizers import Tokenizer, pre_tokenizers, processors
    from tokenizers.models import WordLevel

    tokenizer = Tokenizer(WordLevel({w: i for i, w in enumerate(WORDS)}, unk_token="<unk>"))
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    tokenizer.save(str(path))


def _graph(path: Path, table: np.ndarray) -> None:
    """hidden = table[input_ids]: an encoder whose output is easy to predict (the mask is the pooling's job)."""
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], ["hidden"], axis=0),
         helper.make_node("Identity", ["attention_mask"], ["unused"])],
        "tiny",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", table.shape[1]])],
        [numpy_helper.from_array(table, "table")],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))


@pytest.fixture
def tiny_model(tmp_path, monkeypatch):
    """A mean-pooled model folder whose exported graph is in the cache: (folder, embedding table)."""
    monkeypatch.setenv("POLICY_SEARCH_MODEL_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "tiny-model"
    _write_json(folder / "modules.json", [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.base.modules.normalize.Normalize"},
    ])
    _write_json(folder / "1_Pooling" / "config.json", {"embedding_dimension": DIMENSION, "pooling_mode": "mean"})
    _write_json(folder / "config_sentence_transformers.json", {"prompts": {"query": "query : ", "passage": "passage : "}})
    _write_json(folder / "sentence_bert_config.json", {"max_seq_length": MAX_LENGTH})
    _write_json(folder / "tokenizer_config.json", {"pad_token": "<pad>"})
    _write_json(folder / "policy_search_build.json", {"complete": True, "tuning": {"dense_weight": 0.3}})
    _tokenizer(folder / "tokenizer.json")
    table = np.random.default_rng(0).normal(size=(len(WORDS), DIMENSION)).astype(np.float32)
    _graph(graph_path(model_fingerprint(folder)), table)
    return folder, table


def _expected(table: np.ndarray, words: list[str]) -> np.ndarray:
    ids = [0, WORDS.index("query"), WORDS.index(":"), *(WORDS.index(w) for w in words), 2]
    if len(ids) > MAX_LENGTH:  # truncated to the model's length, the closing token kept
        ids = ids[: MAX_LENGTH - 1] + [2]
    vector = table[ids].mean(axis=0)
    return vector / np.linalg.norm(vector)


def test_queries_are_the_graph_mean_pooled_over_the_prompted_tokens(tiny_model):
    folder, table = tiny_model
    embedder = load_embedder(folder)
    assert isinstance(embedder, OnnxQueryEmbedder)
    vectors = embedder.embed_queries(["排污 许可", "处罚", "按日 连续 处罚 河流 水源"])
    assert vectors.shape == (3, DIMENSION) and vectors.dtype == np.float32
    np.testing.assert_allclose(vectors[0], _expected(table, ["排污", "许可"]), atol=1e-6)
    np.testing.assert_allclose(vectors[1], _expected(table, ["处罚"]), atol=1e-6)  # padded beside longer ones
    # truncated to the model's length, as the full pipeline does
    np.testing.assert_allclose(vectors[2], _expected(table, ["按日", "连续", "处罚", "河流", "水源"]), atol=1e-6)
    assert embedder.embed_queries([]).shape == (0, DIMENSION)


def test_the_model_facts_match_the_folder(tiny_model):
    folder, _ = tiny_model
    embedder = load_embedder(folder)
    assert embedder.model_id == model_fingerprint(folder)
    assert embedder.dimension == DIMENSION and embedder.tuned
    assert embedder.dense_weight == DEFAULT_DENSE_WEIGHT  # the same as the full model's, never the tuning record's share


def test_without_an_exported_graph_the_full_model_is_asked_for(tiny_model, tmp_path):
    folder, _ = tiny_model
    graph_path(model_fingerprint(folder)).unlink()
    assert exported_graph(folder) is None
    assert exported_graph(tmp_path / "nowhere") is None
    with pytest.raises(Exception):  # the tiny folder has no weights for sentence-transformers to load
        load_embedder(folder)


QUERY_PATH = """
import sys
from fastapi.testclient import TestClient
from cli.main import main
from service.app import create_app
from service.settings import Settings

assert main(["query", "排污许可 按日连续处罚", "--index", sys.argv[1], "--model-dir", sys.argv[2], "--top-k", "3"]) == 0
with TestClient(create_app(Settings(index_dir=sys.argv[1], model_dir=sys.argv[2]))) as client:
    answer = client.get("/search", params={"q": "排污许可"})
    assert answer.status_code == 200 and answer.json()["results"], answer.text
print("LOADED", *sorted(name for name in {HEAVY} if name in sys.modules))
"""


def test_searching_from_the_command_line_and_the_service_never_imports_torch_sklearn_or_scipy(tiny_model, tmp_path):
    from tests.conftest import index_small_corpus
    from tests.fakes import BigramEmbedder

    folder, _ = tiny_model
    passages = BigramEmbedder(DIMENSION)
    passages.model_id = model_fingerprint(folder)  # the index says it was embedded with the tiny model
    index = index_small_corpus(tmp_path / "small", passages)
    script = QUERY_PATH.replace("{HEAVY}", repr(HEAVY))
    done = subprocess.run([sys.executable, "-c", script, str(index), str(folder)], cwd=ROOT, env=os.environ | {"PYTHONPATH": str(ROOT)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-1] == "LOADED", done.stdout[-500:]


@pytest.mark.slow
def test_the_real_model_gives_the_same_tokens_and_vectors_without_pytorch(built_model_dir):
    from policy_search.embedding.encoder import SentenceTransformerEmbedder

    full = SentenceTransformerEmbedder(built_model_dir, threads=1, onnx_queries=True)  # exports the graph
    texts = ["排污许可 按日连续处罚", "工厂晚上偷偷往河里排污水怎么管？", "ＡＢＣ１２３ 第五十九条", "违反本法规定，" * 200]
    fast = load_embedder(built_model_dir, threads=1)
    assert isinstance(fast, OnnxQueryEmbedder) and fast.model_id == full.model_id and fast.dimension == full.dimension
    assert isinstance(fast.tokenizer, CompactUnigram)  # the cache's compact form of tokenizer.json
    ids = fast.tokenizer.encode_batch([fast.prompt + t for t in texts])[0].tolist()
    expected = full._model.tokenizer([fast.prompt + t for t in texts], padding=True, truncation=True, max_length=full._model.max_seq_length)
    assert ids == expected["input_ids"]
    torch_vectors = full._encode(texts, full._query_prompt)
    assert (fast.embed_queries(texts) * torch_vectors).sum(axis=1).min() > 0.9999
