"""Fine-tuning the embedding model: a tuned folder that loads like the base one and has learnt its pairs."""

import json

import numpy as np
import pytest

from tests.scripts.test_stard_split import _load

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

    tune = _load("tune_embedder")
    out = tmp_path / "tuned"
    tune.train(built_model_dir, EXAMPLES, out, epochs=3, batch_size=2, lr=5e-5, scale=20.0, max_length=48, seed=1)

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
