from __future__ import annotations

import json

import pytest

from policy_search.embedding.onnx_query import is_mean_pooled


def _folder(tmp_path, modules, pooling):
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "modules.json").write_text(json.dumps([{"path": p, "type": t} for p, t in modules]))
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(pooling))
    return tmp_path


T, P, N, D = (
    "sentence_transformers.base.modules.transformer.Transformer",
    "sentence_transformers.sentence_transformer.modules.pooling.Pooling",
    "sentence_transformers.base.modules.normalize.Normalize",
    "sentence_transformers.models.Dense",
)


@pytest.mark.parametrize(
    "modules, pooling, expected",
    [
        ([("", T), ("1_Pooling", P), ("2_Normalize", N)], {"pooling_mode": "mean", "include_prompt": True}, True),
        ([("", T), ("1_Pooling", P)], {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False}, True),
        ([("", T), ("1_Pooling", P), ("2_Normalize", N)], {"pooling_mode": "cls"}, False),
        ([("", T), ("1_Pooling", P), ("2_Dense", D)], {"pooling_mode": "mean"}, False),
        ([("", T), ("1_Pooling", P)], {"pooling_mode": "mean", "include_prompt": False}, False),
    ],
)
def test_only_mean_pooled_pipelines_use_the_exported_encoder(tmp_path, modules, pooling, expected):
    assert is_mean_pooled(_folder(tmp_path, modules, pooling)) is expected


def test_a_folder_without_modules_is_not_exported(tmp_path):
    assert is_mean_pooled(tmp_path) is False
