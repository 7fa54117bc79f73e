"""Query embeddings through ONNX Runtime: the same model, about twice as fast on the CPU as PyTorch.

Used only for models whose sentence-transformers pipeline is a transformer, mean pooling and
normalisation (as multilingual-e5); the graph is exported once per model fingerprint into the cache,
outside the model folder, so the folder's fingerprint (and every index built with it) is unchanged.
With `int8`, the graph's matrix products are quantised to 8 bits (ONNX Runtime's dynamic quantisation,
weights per output channel, activations per batch): about 2.5 times faster again, for query vectors at
cosine ≈ 0.997 to the exact ones (per-tensor weights gave 0.990; what it costs in retrieval is in
BENCHMARKS.md). Passages are never embedded this way: the index keeps the exact vectors.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import warnings
from pathlib import Path

import numpy as np

from policy_search.folders import published_folder

log = logging.getLogger("policy_search.embedding")


def is_mean_pooled(model_dir: Path) -> bool:
    """True when the folder's pipeline is Transformer → mean Pooling (→ Normalize), which the graph reproduces."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
        kinds = [m["type"].rsplit(".", 1)[-1] for m in modules]
        pooling_dir = next(m["path"] for m in modules if m["type"].endswith("Pooling"))
        pooling = json.loads((model_dir / pooling_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, KeyError, StopIteration, json.JSONDecodeError):
        return False
    flags = [k for k, v in pooling.items() if k.startswith("pooling_mode_") and v is True]
    mean = pooling.get("pooling_mode") == "mean" or flags == ["pooling_mode_mean_tokens"]  # newer and older configs
    return kinds[:2] == ["Transformer", "Pooling"] and set(kinds[2:]) <= {"Normalize"} and mean and pooling.get("include_prompt", True)


def onnx_cache_dir() -> Path:
    """Beside the built default model, in the same cache root."""
    from policy_search.embedding.e5_build import default_model_dir

    return default_model_dir().parent / "onnx"


def graph_path(fingerprint: str, int8: bool = False) -> Path:
    """Where the exported graph of the model with this fingerprint lives (made once, by OnnxQueryEncoder)."""
    name = fingerprint.replace("@", "-")
    return onnx_cache_dir() / (f"{name}-int8.onnx" if int8 else f"{name}.onnx")


MAPPED_GRAPH = "encoder.onnx"  # in a folder of its own, beside its weights (encoder.onnx.data)


def mapped_graph_path(fingerprint: str) -> Path:
    """The float graph with its weights in a file beside it, which ONNX Runtime maps instead of copying: a
    session opens in about 0.5 s where the one-file graph (470 MB, mostly the word embeddings) takes 3 s."""
    return onnx_cache_dir() / f"{fingerprint.replace('@', '-')}-mapped" / MAPPED_GRAPH


def ensure_mapped_graph(fingerprint: str) -> Path | None:
    """The mapped form of an exported graph, written once from the one-file graph; None when neither exists."""
    target = mapped_graph_path(fingerprint)
    if target.is_file():
        return target
    source = graph_path(fingerprint)
    if not source.is_file():
        return None
    import onnx

    with published_folder(target.parent, MAPPED_GRAPH, ".mapped-") as staging:  # both files or neither
        onnx.save_model(onnx.load(str(source)), str(staging / MAPPED_GRAPH), save_as_external_data=True,
                        all_tensors_to_one_file=True, location=MAPPED_GRAPH + ".data", size_threshold=1024)
    log.info("event=onnx_mapped path=%s", target)
    return target


def inference_session(path: Path, threads: int):
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def mean_pooled(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over the tokens the mask keeps, L2-normalised, as the sentence-transformers pipeline computes it."""
    pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
    return (pooled / np.linalg.norm(pooled, axis=1, keepdims=True)).astype(np.float32)


class OnnxQueryEncoder:
    """Tokenizes with the model's own tokenizer, runs the exported encoder, mean-pools and normalises."""

    def __init__(self, sentence_model, fingerprint: str, prompt: str, *, threads: int = 1, int8: bool = False) -> None:
        self.tokenizer = sentence_model.tokenizer
        self.prompt = prompt
        self.max_length = sentence_model.max_seq_length
        path = self.export(sentence_model, fingerprint)
        if int8:
            path = self._quantize(path)
        self.session = inference_session(path, threads)

    @staticmethod
    def export(sentence_model, fingerprint: str) -> Path:
        """The model's encoder as an ONNX graph in the cache, exported once per fingerprint."""
        path = graph_path(fingerprint)
        if path.exists():
            return path
        import torch

        class Encoder(torch.nn.Module):
            def __init__(self, transformer) -> None:
                super().__init__()
                self.transformer = transformer

            def forward(self, input_ids, attention_mask):
                return self.transformer(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        transformer = sentence_model[0].auto_model.float().eval()
        sample = sentence_model.tokenizer(["query: 排污许可"], return_tensors="pt")
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(dir=path.parent, suffix=".onnx.tmp")
        os.close(handle)
        axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}, "hidden": {0: "batch", 1: "tokens"}}
        try:
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # the tracer's notes on shapes; the graph is checked by a test
                torch.onnx.export(
                    Encoder(transformer), (sample["input_ids"], sample["attention_mask"]), staging,
                    input_names=["input_ids", "attention_mask"], output_names=["hidden"],
                    dynamic_axes=axes, opset_version=17, dynamo=False,
                )
            os.replace(staging, path)
        finally:
            Path(staging).unlink(missing_ok=True)
        log.info("event=onnx_exported path=%s", path)
        ensure_mapped_graph(fingerprint)  # the form searching processes open
        return path

    @staticmethod
    def _quantize(path: Path) -> Path:
        """The int8 graph beside the exported one, made once."""
        target = path.with_name(path.stem + "-int8.onnx")  # graph_path(fingerprint, int8=True)
        if target.exists():
            return target
        from onnxruntime.quantization import QuantType, quantize_dynamic

        handle, staging = tempfile.mkstemp(dir=path.parent, suffix=".onnx.tmp")
        os.close(handle)
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # the quantiser logs advice on pre-processing at WARNING through the root logger
        try:
            quantize_dynamic(str(path), staging, weight_type=QuantType.QInt8, op_types_to_quantize=["MatMul"], per_channel=True)
            os.replace(staging, target)
        finally:
            root.setLevel(level)
            Path(staging).unlink(missing_ok=True)
        log.info("event=onnx_quantized path=%s", target)
        return target

    def encode(self, texts: list[str]) -> np.ndarray:
        batch = self.tokenizer(
            [self.prompt + text for text in texts], padding=True, truncation=True, max_length=self.max_length, return_tensors="np"
        )
        mask = batch["attention_mask"].astype(np.int64)
        hidden = self.session.run(None, {"input_ids": batch["input_ids"].astype(np.int64), "attention_mask": mask})[0]
        return mean_pooled(hidden, mask)
