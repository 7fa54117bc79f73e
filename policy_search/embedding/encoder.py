"""Embedders: the interface the index and the searcher use, and its sentence-transformers implementation."""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Protocol

import numpy as np

DEFAULT_DENSE_WEIGHT = 0.7  # hybrid mix of a search, chosen under the validation protocol on the whole eco collection (BENCHMARKS.md)
PRECISIONS = ("auto", "bf16", "fp32")
PASSAGE_BATCH = 32  # texts of about the same length (the cache sorts them): larger batches only stall the cache


def native_bf16() -> bool:
    """True where the CPU multiplies bfloat16 natively (AMX tiles, or AVX-512 BF16): there a bf16 copy of the
    model embeds passages about three times as fast; elsewhere bf16 is emulated and slower than float32."""
    import torch

    checks = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")
    return any(getattr(torch.cpu, name, lambda: False)() for name in checks)


def resolve_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise ValueError(f"passage precision must be one of {', '.join(PRECISIONS)}, got {precision!r}")
    if precision == "auto":
        return "bf16" if native_bf16() else "fp32"
    return precision


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors; queries and passages may be prompted differently."""

    model_id: str
    dimension: int

    def embed_queries(self, texts: list[str]) -> np.ndarray: ...

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...


def model_fingerprint(model_dir: Path) -> str:
    """An id for a local model folder: its name and a hash of its configuration and weight file sizes."""
    digest = hashlib.sha1()
    for path in sorted(model_dir.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            relative = path.relative_to(model_dir).as_posix()
            if path.suffix in (".json", ".txt", ".model") and path.stat().st_size < 50_000_000:
                digest.update(relative.encode() + b"\0" + path.read_bytes())
            else:
                digest.update(f"{relative}:{path.stat().st_size}".encode())
    return f"{model_dir.name}@{digest.hexdigest()[:12]}"


def _build_record(model_dir: Path) -> dict:
    """The record a built-in model folder carries (policy_search_build.json); empty for other folders."""
    from policy_search.embedding.e5_build import MARKER_FILE

    try:
        return json.loads((model_dir / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


class SentenceTransformerEmbedder:
    """A local sentence-transformers folder on the CPU; prompts come from the model's own configuration."""

    def __init__(
        self,
        model_dir: Path,
        *,
        threads: int | None = None,
        batch_size: int = PASSAGE_BATCH,
        onnx_queries: bool = False,
        int8_queries: bool = False,
        passage_precision: str = "auto",
    ) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder only; never reach for a hub
        import torch
        from sentence_transformers import SentenceTransformer

        if threads:
            torch.set_num_threads(threads)
        self.model_dir = Path(model_dir)
        if not (self.model_dir / "modules.json").is_file():
            raise FileNotFoundError(f"{self.model_dir} is not a sentence-transformers model folder (no modules.json)")
        self._model = SentenceTransformer(str(self.model_dir), device="cpu", local_files_only=True)
        self.model_id = model_fingerprint(self.model_dir)
        self.dimension = int(self._model.get_embedding_dimension())
        self.batch_size = batch_size
        build = _build_record(self.model_dir)
        self.adapter_sha256: str | None = build.get("adapter_sha256")  # the tuned default's adapter, recorded in indexes
        self.tuning: dict = build.get("tuning") or {}  # how scripts/tune_embedder.py made it; empty for other models
        # the dense share of the hybrid mix: the same for every model and every way of loading it (the tuning
        # record's own share is not read), as chosen under the validation protocol (BENCHMARKS.md)
        self.dense_weight = DEFAULT_DENSE_WEIGHT
        self.tuned = bool(self.tuning)  # the learned ranker fits a tuned model's scores
        prompts = self._model.prompts or {}
        self._query_prompt = "query" if "query" in prompts else None
        self._passage_prompt = "passage" if "passage" in prompts else ("document" if "document" in prompts else None)
        self.int8_queries = False  # set when the int8 graph is in use
        # Passages in bfloat16 where the CPU has it: vectors at cosine 0.9999 to float32 ones (BENCHMARKS.md), so
        # they share the model id, the embedding cache and every index with them. Made on first use.
        self.passage_precision = resolve_precision(passage_precision)
        self._passage_model = None
        self._onnx = self._onnx_encoder(prompts, threads or 1, int8_queries) if onnx_queries else None

    def _onnx_encoder(self, prompts: dict, threads: int, int8: bool):
        """ONNX Runtime for queries where the pipeline allows it; PyTorch (same vectors, slower) otherwise."""
        from policy_search.embedding.onnx_query import OnnxQueryEncoder, is_mean_pooled

        if not is_mean_pooled(self.model_dir):
            return None
        try:
            encoder = OnnxQueryEncoder(self._model, self.model_id, prompts.get(self._query_prompt, ""), threads=threads, int8=int8)
            self.int8_queries = int8
            return encoder
        except Exception as exc:  # no onnx/onnxruntime, or an export failure: queries stay on PyTorch
            logging.getLogger("policy_search.embedding").warning("event=onnx_unavailable reason=%r", str(exc))
            return None

    def export_query_graph(self) -> None:
        """Export the ONNX query graph and the compact tokenizer now (the index step does), so that searching
        processes never load PyTorch nor parse tokenizer.json."""
        from policy_search.embedding.onnx_query import OnnxQueryEncoder, is_mean_pooled

        if self._onnx is None and is_mean_pooled(self.model_dir):
            try:
                OnnxQueryEncoder.export(self._model, self.model_id)
            except Exception as exc:  # searching then loads the full model and tries again
                logging.getLogger("policy_search.embedding").warning("event=onnx_unavailable reason=%r", str(exc))
        if (self.model_dir / "tokenizer.json").is_file():
            from policy_search.embedding.query_only import ensure_compact_tokenizer

            ensure_compact_tokenizer(self.model_dir)  # the tokenizer form searching processes read

    def _encode(self, texts: list[str], prompt_name: str | None, model=None) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = (model if model is not None else self._model).encode(
            texts,
            prompt_name=prompt_name,
            batch_size=self.batch_size,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        vectors = np.asarray(vectors, dtype=np.float32)  # normalised in float32 whatever the model computed in
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.ascontiguousarray(vectors / np.where(norms > 0, norms, 1.0))

    def _bf16_model(self):
        if self._passage_model is None:
            import copy

            import torch

            self._passage_model = copy.deepcopy(self._model).to(torch.bfloat16)
        return self._passage_model

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if self._onnx is not None and texts:
            return self._onnx.encode(texts)
        return self._encode(texts, self._query_prompt)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        model = self._bf16_model() if self.passage_precision == "bf16" else None
        return self._encode(texts, self._passage_prompt, model)
