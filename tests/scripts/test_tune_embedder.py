"""Fine-tuning the embedding model: a tuned folder that loads like the base one and has learnt its pairs."""

import json

import numpy as np
import pytest

from tests.scripts import load_script

EXAMPLES = [
    {
        "query": "工厂晚上偷偷往河里排污水怎么管",
        "positives": ["水污染防治法 第三十九条 禁止私设暗管或者不正常运行水污染防治设施等逃避监管的方式排放水污染物。"],
        "negatives": ["森林法 第五十六条 采伐林地上的林木应当申请采伐许可证，并按照采伐许可证的规定进行采伐。"],
    },
    {
        "query": "化工厂搬走后的空地能直接盖小区吗",
        "positives": ["土壤污染防治法 第五十九条 用途变更为住宅、公共管理与公共服务用地的，变更前应当按照规定进行土壤污染状况调查。"],
        "negatives": ["噪声污染防治法 第四十七条 机动车的消声器和喇叭应当符合国家规定，禁止驾驶拆除或者损坏消声器的机动车轰鸣、疾驶。"],
    },
]


def _margins(embedder) -> np.ndarray:
    queries = embedder.embed_queries([ex["query"] for ex in EXAMPLES])
    positives = embedder.embed_passages([ex["positives"][0] for ex in EXAMPLES])
    negatives = embedder.embed_passages([ex["negatives"][0] for ex in EXAMPLES])
    return (queries * positives).sum(axis=1) - (queries * negatives).sum(axis=1)


@pytest.mark.slow
def test_tuned_folder_loads_and_moves_queries_towards_their_clauses(built_model_dir, tmp_path):
    pytest.importorskip("torch")
    from policy_search.embedding.encoder import SentenceTransformerEmbedder

    tune = load_script("tune_embedder")
    out = tmp_path / "tuned"
    model = tune.train(built_model_dir, EXAMPLES, epochs=3, batch_size=2, lr=5e-5, scale=20.0, max_length=48, seed=1,
                       lora_rank=0, lora_alpha=0)
    tune.save_full(model, out, {"examples": len(EXAMPLES)})

    config = json.loads((out / "config.json").read_text())
    assert config["dtype"] == "float32"
    assert json.loads((out / "policy_search_tuning.json").read_text())["examples"] == 2
    base = SentenceTransformerEmbedder(built_model_dir, threads=1)
    tuned = SentenceTransformerEmbedder(out, threads=1)
    assert tuned.model_id != base.model_id
    assert tuned.dimension == base.dimension == 384
    vectors = tuned.embed_queries(["渣土车未密闭沿途遗撒"])
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert (_margins(tuned) > _margins(base)).all()


@pytest.mark.slow
def test_a_lora_adapter_is_small_and_merges_into_the_base(built_model_dir, tmp_path):
    pytest.importorskip("peft")
    from policy_search.embedding.e5_build import MARKER_FILE
    from policy_search.embedding.encoder import SentenceTransformerEmbedder
    from policy_search.embedding.tuned import adapter_sha256, merge_adapter

    tune = load_script("tune_embedder")
    model = tune.train(built_model_dir, EXAMPLES, epochs=3, batch_size=2, lr=1e-3, scale=20.0, max_length=48, seed=1,
                       lora_rank=4, lora_alpha=8)
    adapter = tmp_path / "adapter"
    tune.save_adapter(model, adapter, {"examples": len(EXAMPLES), "dense_weight": 0.7})
    assert sorted(p.name for p in adapter.iterdir()) == ["adapter_config.json", "adapter_model.safetensors", "tuning.json"]
    assert (adapter / "adapter_model.safetensors").stat().st_size < 1_000_000

    merged = merge_adapter(built_model_dir, adapter, tmp_path / "merged")
    marker = json.loads((merged / MARKER_FILE).read_text())
    assert marker["adapter_sha256"] == adapter_sha256(adapter) and marker["tuning"]["dense_weight"] == 0.7
    base = SentenceTransformerEmbedder(built_model_dir, threads=1)
    tuned = SentenceTransformerEmbedder(merged, threads=1)
    assert tuned.model_id != base.model_id
    assert (_margins(tuned) > _margins(base)).all()


class _TableModel:
    """Stands in for a SentenceTransformer: each text's vector looked up in a table."""

    prompts = {"query": "query: ", "passage": "passage: "}
    vectors = {
        "query: 问一": [1.0, 0.0], "query: 问二": [0.0, 1.0],
        "passage: 条一": [0.9, 0.1], "passage: 条二": [0.1, 0.9], "passage: 条三": [0.6, 0.4], "passage: 条四": [0.3, 0.7],
    }

    def encode(self, texts, prompt="", normalize_embeddings=True, batch_size=32):
        return np.array([self.vectors[prompt + text] for text in texts])


def test_the_held_out_check_scores_recall_and_reciprocal_rank():
    tune = load_script("tune_embedder")
    # 问一 ranks 条一, 条三, 条四, 条二; 问二 ranks 条二, 条四, 条三, 条一
    found = tune.check(_TableModel(), (["问一", "问二"], ["条一", "条二", "条三", "条四"], [{2}, {0, 1}]))
    assert found == {"R@10": 1.0, "MRR@10": round((1 / 2 + 1) / 2, 4)}
