"""Service settings from the environment (prefix POLICY_SEARCH_), checked for unsafe values at start-up."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from policy_search.embedding.encoder import DEFAULT_DENSE_WEIGHT
from policy_search.embedding.tuned import DEFAULT_MODEL, MODELS
from service.retrieval.ranking import RankingConfig

MIN_KEY_LENGTH = 16


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICY_SEARCH_", extra="ignore")

    index_dir: Path = Path("var/index")
    model: str = DEFAULT_MODEL  # built-in model: e5-small-stard (tuned, the default) or e5-small (stock)
    model_dir: Path | None = None  # a local sentence-transformers folder, in place of the built-in model
    # torch threads for query embeddings: one, since concurrent queries are batched and OpenMP threads
    # that spin while another process holds the cores can stall a query for a second
    threads: int = Field(default=1, ge=1, le=64)
    embed_workers: int = Field(default=2, ge=1, le=16)  # threads running query-embedding batches side by side
    query_cache: int = Field(default=256, ge=0, le=100_000)  # recent query embeddings kept
    # share of the dense score in the hybrid mix; default: the mix the model was chosen with (0.5 for others)
    dense_weight: float | None = Field(default=None, ge=0.0, le=1.0)
    # hybrid searches go through the learned ranker; default off: it lost under the validation protocol
    # (BENCHMARKS.md) and costs about a third of the throughput under load; a request's `rerank` overrides it
    rerank: bool | None = None
    thesaurus: bool = RankingConfig.thesaurus  # BM25 also searches the query words' true synonyms
    int8_queries: bool = False  # queries through the 8-bit ONNX graph: faster, vectors at cosine ≈ 0.99
    # passages embedded by updates: auto is bfloat16 where the CPU has it natively (AMX, AVX-512 BF16), else float32
    passage_precision: Literal["auto", "bf16", "fp32"] = "auto"
    # the search engine: local (the generation's own files) or milvus (a server, or Milvus Lite's file); unset,
    # the one the index was published to, at the address it recorded. The token ("user:password" or an API key)
    # comes from POLICY_SEARCH_MILVUS_TOKEN
    backend: Literal["local", "milvus"] | None = None
    milvus_uri: str | None = None
    milvus_token: str | None = Field(default=None, repr=False)
    milvus_db: str | None = None
    milvus_collection: str = Field(default="policy_search", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,100}$")
    search_keys: Annotated[list[str], NoDecode] = []  # comma-separated; any of them may search
    admin_keys: Annotated[list[str], NoDecode] = []  # may also change the index
    cors_origins: Annotated[list[str], NoDecode] = []
    max_upload_bytes: int = Field(default=20 * 1024 * 1024, ge=1024)
    max_upload_files: int = Field(default=20, ge=1, le=1000)
    parse_timeout_s: float = Field(default=60.0, gt=0)
    parse_memory_mb: int = Field(default=1024, ge=128)
    update_timeout_s: float = Field(default=1800.0, gt=0)

    @field_validator("model")
    @classmethod
    def _known_model(cls, value: str) -> str:
        if value not in MODELS:
            raise ValueError(f"model must be one of {', '.join(MODELS)} (or set POLICY_SEARCH_MODEL_DIR), got {value!r}")
        return value

    @field_validator("search_keys", "admin_keys", "cors_origins", mode="before")
    @classmethod
    def _split(cls, value):
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        for key in self.search_keys + self.admin_keys:
            if len(key) < MIN_KEY_LENGTH:
                raise ValueError(f"API keys must be at least {MIN_KEY_LENGTH} characters")
        if self.search_keys and not self.admin_keys:
            raise ValueError("search keys are set but no admin key: set POLICY_SEARCH_ADMIN_KEYS too")
        if set(self.search_keys) & set(self.admin_keys):
            raise ValueError("a key cannot be both a search key and an admin key")
        if "*" in self.cors_origins and self.admin_keys:
            raise ValueError("CORS origin '*' is not allowed together with API keys; list the origins")
        if self.backend == "milvus" and not self.milvus_uri:
            raise ValueError("backend milvus needs POLICY_SEARCH_MILVUS_URI: a server (http://host:19530) or a Milvus Lite file")
        return self

    @property
    def keys_required(self) -> bool:
        return bool(self.admin_keys)

    @property
    def engine(self) -> dict:
        """The engine settings the index is read (and updates are written) with: policy_search/milvus.py."""
        return {"backend": self.backend, "uri": self.milvus_uri, "token": self.milvus_token, "db": self.milvus_db,
                "prefix": self.milvus_collection}

    def ranking(self, embedder=None) -> RankingConfig:
        """The ranking configuration; the hybrid mix, unless set, is the one the embedder's model was chosen with."""
        weight = self.dense_weight
        if weight is None:
            weight = getattr(embedder, "dense_weight", DEFAULT_DENSE_WEIGHT)
        rerank = self.rerank if self.rerank is not None else RankingConfig.rerank
        return RankingConfig(dense_weight=weight, rerank=rerank, thesaurus=self.thesaurus)


@lru_cache
def get_settings() -> Settings:
    return Settings()
