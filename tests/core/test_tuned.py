"""The tuned default model: the shipped adapter, its hash, the merged build and its reference vectors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from policy_search.embedding.e5_build import MARKER_FILE
from policy_search.embedding.tuned import (
    DEFAULT_MODEL,
    REFERENCE_FILE,
    TUNING_FILE,
    adapter_dir,
    adapter_sha256,
    ensure_model,
)

MIN_COSINE = 0.999


def test_the_adapter_ships_small_with_its_record():
    folder = adapter_dir()
    weights = folder / "adapter_model.safetensors"
    assert weights.is_file() and weights.stat().st_size < 25 * 1024 * 1024
    config = json.loads((folder / "adapter_config.json").read_text(encoding="utf-8"))
    assert config["peft_type"] == "LORA" and config["r"] > 0
    record = json.loads((folder / TUNING_FILE).read_text(encoding="utf-8"))
    assert record["data"].startswith("STARD") and record["seed"] is not None and 0 < record["dense_weight"] <= 1
    reference = json.loads((folder / REFERENCE_FILE).read_text(encoding="utf-8"))
    assert len(reference["query"]) == len(reference["texts"]) and len(reference["query"][0]) == 384


def test_the_adapter_hash_covers_weights_and_configuration(tmp_path):
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        (tmp_path / name).write_bytes((adapter_dir() / name).read_bytes())
    assert adapter_sha256(tmp_path) == adapter_sha256(adapter_dir())
    (tmp_path / "adapter_config.json").write_text("{}", encoding="utf-8")
    assert adapter_sha256(tmp_path) != adapter_sha256(adapter_dir())


def test_an_unknown_model_name_is_refused():
    with pytest.raises(ValueError, match="e5-small-stard, e5-small"):
        ensure_model("bge-small")


@pytest.fixture(scope="module")
def tuned_model_dir(built_model_dir):
    pytest.importorskip("peft")
    return ensure_model(DEFAULT_MODEL, built_model_dir.parent)


@pytest.mark.slow
def test_the_built_default_reproduces_the_reference_vectors(tuned_model_dir):
    from policy_search.embedding.encoder import DEFAULT_DENSE_WEIGHT, SentenceTransformerEmbedder

    reference = json.loads((adapter_dir() / REFERENCE_FILE).read_text(encoding="utf-8"))
    embedder = SentenceTransformerEmbedder(tuned_model_dir, threads=1)
    for kind, embed in (("query", embedder.embed_queries), ("passage", embedder.embed_passages)):
        ours = embed(reference["texts"])
        expected = np.asarray(reference[kind], dtype=np.float32)
        expected /= np.linalg.norm(expected, axis=1, keepdims=True)
        cosines = (ours * expected).sum(axis=1)
        assert cosines.min() >= MIN_COSINE, (kind, cosines.round(5).tolist())


@pytest.mark.slow
def test_the_built_default_records_its_adapter_and_mix(tuned_model_dir, built_model_dir):
    from policy_search.embedding.encoder import DEFAULT_DENSE_WEIGHT, SentenceTransformerEmbedder

    marker = json.loads((tuned_model_dir / MARKER_FILE).read_text(encoding="utf-8"))
    assert marker["adapter_sha256"] == adapter_sha256(adapter_dir())
    assert tuned_model_dir.name.endswith(adapter_sha256(adapter_dir())[:12])
    assert ensure_model(DEFAULT_MODEL, built_model_dir.parent) == tuned_model_dir  # built once, then reused
    tuned = SentenceTransformerEmbedder(tuned_model_dir, threads=1)
    stock = SentenceTransformerEmbedder(built_model_dir, threads=1)
    assert tuned.adapter_sha256 == marker["adapter_sha256"] and stock.adapter_sha256 is None
    assert tuned.dense_weight == stock.dense_weight == DEFAULT_DENSE_WEIGHT  # the mix the protocol chose, for every model
    assert tuned.model_id != stock.model_id  # an index built with one is refused by a service with the other
