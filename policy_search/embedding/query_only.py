"""The embedder of a process that only searches: queries through the exported ONNX graph, never PyTorch.

Importing PyTorch, transformers and sentence-transformers is most of a cold start (about 10 of the 12 s a
fresh `serve` took to answer). A search embeds queries only, so once `OnnxQueryEncoder` has exported a
model's graph into the cache, this embedder answers from that graph and the folder's own tokenizer: the
compact form of its `tokenizer.json` where the pipeline allows (embedding/unigram.py, written once into the
cache), else `tokenizer.json` through the `tokenizers` library, which transformers' fast tokenizer wraps.
The same token ids, the same vectors. Passages, which only indexing embeds, go through the full model,
loaded on first use.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from policy_search.embedding.encoder import DEFAULT_DENSE_WEIGHT, _build_record, model_fingerprint
from policy_search.embedding.onnx_query import (
    ensure_mapped_graph, graph_path, inference_session, is_mean_pooled, mean_pooled, onnx_cache_dir,
)

DEFAULT_MAX_LENGTH = 512
log = logging.getLogger("policy_search.embedding")


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def exported_graph(model_dir: Path, *, int8: bool = False) -> tuple[Path, str] | None:
    """The exported graph of a mean-pooled model folder and the folder's fingerprint, when the cache holds the
    graph (and the folder its tokenizer.json); the float graph in its mapped form, made here if need be."""
    model_dir = Path(model_dir)
    if not (model_dir / "tokenizer.json").is_file() or not is_mean_pooled(model_dir):
        return None
    fingerprint = model_fingerprint(model_dir)
    path = graph_path(fingerprint, int8=True) if int8 else ensure_mapped_graph(fingerprint)
    return (path, fingerprint) if path is not None and path.is_file() else None


class OnnxQueryEmbedder:
    """Queries through an exported graph; the same facts about the model as SentenceTransformerEmbedder gives."""

    def __init__(self, model_dir: Path, graph: Path, *, threads: int | None = None, int8_queries: bool = False,
                 passage_precision: str = "auto", model_id: str | None = None) -> None:
        self.model_dir = Path(model_dir)
        self.model_id = model_id or model_fingerprint(self.model_dir)
        settings = _read_json(self.model_dir / "config_sentence_transformers.json")
        self.prompt = (settings.get("prompts") or {}).get("query", "")
        pooling = next(m["path"] for m in _read_json_list(self.model_dir / "modules.json") if m["type"].endswith("Pooling"))
        pooling = _read_json(self.model_dir / pooling / "config.json")  # the key was renamed in sentence-transformers 6
        dimension = pooling.get("embedding_dimension") or pooling.get("word_embedding_dimension")
        self.dimension = int(dimension or _read_json(self.model_dir / "config.json")["hidden_size"])
        max_length = _read_json(self.model_dir / "sentence_bert_config.json").get("max_seq_length") or DEFAULT_MAX_LENGTH
        build = _build_record(self.model_dir)
        self.adapter_sha256: str | None = build.get("adapter_sha256")
        self.tuning: dict = build.get("tuning") or {}
        self.dense_weight = DEFAULT_DENSE_WEIGHT  # as the full model's: never the tuning record's own share
        self.tuned = bool(self.tuning)
        self.int8_queries = int8_queries
        self.threads = threads
        self._precision = passage_precision
        self._passages = None
        self.tokenizer = load_query_tokenizer(self.model_dir, int(max_length))
        self.session = inference_session(graph, threads or 1)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        ids, mask = self.tokenizer.encode_batch([self.prompt + text for text in texts])
        hidden = self.session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return mean_pooled(hidden, mask)

    @property
    def passage_precision(self) -> str:
        """bf16 or fp32, as the full model would embed passages (finding out imports PyTorch: asked by indexing only)."""
        from policy_search.embedding.encoder import resolve_precision

        return resolve_precision(self._precision)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """Through the full model (PyTorch), loaded on first use: a searching process never gets here."""
        if self._passages is None:
            from policy_search.embedding.encoder import SentenceTransformerEmbedder

            self._passages = SentenceTransformerEmbedder(self.model_dir, threads=self.threads,
                                                         passage_precision=self._precision)
        return self._passages.embed_passages(texts)


def _pad_token(model_dir: Path) -> str:
    pad_token = _read_json(model_dir / "tokenizer_config.json").get("pad_token", "<pad>")
    return pad_token["content"] if isinstance(pad_token, dict) else pad_token


class LibraryTokenizer:
    """tokenizer.json through the `tokenizers` library: any pipeline, a second or so to load a large vocabulary."""

    def __init__(self, tokenizer_json: Path, max_length: int, pad_token: str) -> None:
        from tokenizers import Tokenizer

        self.tokenizer = Tokenizer.from_file(str(tokenizer_json))
        self.tokenizer.enable_truncation(max_length)
        self.tokenizer.enable_padding(pad_id=self.tokenizer.token_to_id(pad_token), pad_token=pad_token)

    def encode_batch(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64).reshape(len(texts), -1)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64).reshape(len(texts), -1)
        return ids, mask


def ensure_compact_tokenizer(model_dir: Path) -> Path | None:
    """The compact form of the folder's tokenizer.json in the cache, written once; None where its pipeline
    is not the one CompactUnigram runs or the cache cannot be written."""
    from policy_search.embedding import unigram

    tokenizer_json = Path(model_dir) / "tokenizer.json"
    folder = unigram.compact_folder(onnx_cache_dir(), tokenizer_json)
    if (folder / unigram.PIPELINE).is_file():
        return folder
    unsupported = folder.with_name(folder.name + ".unsupported")  # remembered, so that no process parses it again
    if unsupported.exists():
        return None
    try:
        if unigram.write_compact(tokenizer_json, folder, _pad_token(Path(model_dir))):
            return folder
        unsupported.parent.mkdir(parents=True, exist_ok=True)
        unsupported.touch()
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:  # the library reads it, or says what is wrong
        log.warning("event=tokenizer_not_compacted reason=%r", str(exc))
    return None


def load_query_tokenizer(model_dir: Path, max_length: int):
    """The folder's tokenizer, as `encode_batch(texts) -> (ids, mask)`: the compact form where there is one."""
    model_dir = Path(model_dir)
    folder = ensure_compact_tokenizer(model_dir)
    if folder is not None:
        from policy_search.embedding.unigram import CompactUnigram

        try:
            return CompactUnigram(folder, max_length)
        except (OSError, ValueError, KeyError) as exc:  # a damaged cache: the library reads tokenizer.json as before
            log.warning("event=compact_tokenizer_unreadable path=%s reason=%r", folder, str(exc))
    return LibraryTokenizer(model_dir / "tokenizer.json", max_length, _pad_token(model_dir))


def _read_json_list(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))
