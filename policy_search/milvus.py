"""Milvus as the search engine of an index: one collection per generation, published by an alias switch.

Each generation's clauses become rows of a collection named after it (`<prefix>_<generation>`):

    pos         INT64 primary key: the clause's position in the generation (row i = clause i of clauses.jsonl)
    doc         INT64: its document's position (issuer and doc_id filters become `doc in [...]`)
    tokens      VARCHAR: the project's own jieba tokens of the passage, each hex-encoded, space-separated, so
                that any Milvus analyzer (standard on Milvus Lite, whitespace on a server) splits them exactly
                there and nowhere else; Milvus's BM25 function turns them into
    sparse      SPARSE_FLOAT_VECTOR, searched with metric BM25 (k1 1.2, b 0.75: as bm25s here)
    dense       FLOAT_VECTOR, normalised, searched by inner product (when the index has vectors)
    doc_type, region VARCHAR; date INT64 (YYYYMMDD, 0 when unknown); superseded BOOL: the scalar filters
    searchable  BOOL: false for the lines of a 公文 that are not clauses (kept, so BM25 counts what bm25s counts)

The collection is complete, indexed and loaded before the generation's manifest names it, and the alias
`<prefix>` is switched to it once the generation is published, so no reader ever sees a half-built one;
collections of generations no longer kept are dropped. The catalog (documents, clause texts, references)
stays in the generation's files; the searcher ranks Milvus's candidates as it ranks the local engine's.

Where Milvus is: POLICY_SEARCH_MILVUS_URI (a file path for Milvus Lite, embedded; http://host:19530 for a
server), POLICY_SEARCH_MILVUS_TOKEN ("user:password" or an API key), POLICY_SEARCH_MILVUS_DB.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from policy_search.errors import EngineUnavailable
from policy_search.model import Clause, DocumentMeta

BM25_PARAMS = {"bm25_k1": 1.2, "bm25_b": 0.75}  # indexer/lexical.py's, so both engines score alike
INSERT_BATCH = 2_000
FLAT_BELOW = 200_000  # as the local engine: an exact scan below, HNSW above
HNSW = {"M": 32, "efConstruction": 80}
HNSW_EF = 128
MAX_TOKENS_CHARS = 60_000  # VARCHAR holds 65,535 bytes; the hex tokens are ASCII
LEXICON = "lexicon.json"  # token → number of clauses holding it: the idf the ranker and the thesaurus read
DEFAULT_PREFIX = "policy_search"
_NAME = re.compile(r"[^A-Za-z0-9_]")


def settings_from_env(environ: dict[str, str] | None = None) -> dict:
    """The engine settings of the environment: backend (local, milvus, or None: whichever the index was published
    to), uri, token, db, collection prefix."""
    environ = os.environ if environ is None else environ
    return {
        "backend": environ.get("POLICY_SEARCH_BACKEND") or None,
        "uri": environ.get("POLICY_SEARCH_MILVUS_URI"),
        "token": environ.get("POLICY_SEARCH_MILVUS_TOKEN"),
        "db": environ.get("POLICY_SEARCH_MILVUS_DB"),
        "prefix": environ.get("POLICY_SEARCH_MILVUS_COLLECTION", DEFAULT_PREFIX),
        "record_uri": environ.get("POLICY_SEARCH_MILVUS_RECORD_URI"),  # the address to keep, when uri is a detour
    }


def is_lite(uri: str) -> bool:
    return "://" not in uri


def shared_uri(uri: str) -> str:
    """An address other processes can use for the same data: a server's as it is; for Milvus Lite's file, the
    gRPC server this process runs for it (it holds the file's lock, so no other process may open the file)."""
    if not is_lite(uri):
        return uri
    from milvus_lite.server_manager import server_manager_instance

    connect(uri)
    found = server_manager_instance.start_and_get_uri(lite_path(uri))
    if found is None:
        raise EngineUnavailable(f"Milvus Lite could not serve {uri} to other processes")
    return found


_CLIENTS: dict[tuple, object] = {}


def lite_path(uri: str) -> str:
    """A server's address as it is; Milvus Lite's file made absolute, so that every process means the same one."""
    return str(Path(uri).expanduser().resolve()) if is_lite(uri) else uri


def connect(uri: str | None, token: str | None = None, db: str | None = None):
    """A MilvusClient, one per address in this process; EngineUnavailable, naming the address, when there is none."""
    if not uri:
        raise EngineUnavailable("the Milvus engine needs an address: set POLICY_SEARCH_MILVUS_URI (or --milvus-uri)")
    uri = lite_path(uri)
    key = (uri, token, db)
    client = _CLIENTS.get(key)
    if client is None:
        from pymilvus import MilvusClient

        if is_lite(uri):
            Path(uri).parent.mkdir(parents=True, exist_ok=True)
        options = {"uri": uri} | ({"token": token} if token else {}) | ({"db_name": db} if db else {})
        try:
            client = _CLIENTS[key] = MilvusClient(**options)
        except Exception as exc:  # refused, unreachable, or a Lite file another process holds open
            hint = " (a Lite file opens in one process only: is a service using it? serve it with " \
                   "`python -m milvus_lite server --data-dir FILE` and give its http:// address)" if is_lite(uri) else ""
            raise EngineUnavailable(f"Milvus at {uri} cannot be reached: {exc}{hint}") from exc
    return client


def encode_tokens(tokens: Iterable[str]) -> str:
    """Tokens as Milvus splits them: each one hex (ASCII word characters), separated by spaces."""
    return " ".join(token.encode("utf-8").hex() for token in tokens)


def date_number(date: str | None) -> int:
    """YYYY-MM-DD (or a prefix of it) as YYYYMMDD, compared as the ISO strings are; 0 when unknown."""
    if not date:
        return 0
    digits = re.sub(r"\D", "", date)[:8]
    return int(digits.ljust(8, "0")) if digits else 0


def collection_name(prefix: str, generation: str) -> str:
    return _NAME.sub("_", f"{prefix}_{generation}")


def _schema(client, dimension: int | None):
    from pymilvus import DataType, Function, FunctionType

    schema = client.create_schema(auto_id=False, enable_dynamic_field=False)
    schema.add_field("pos", DataType.INT64, is_primary=True)
    schema.add_field("doc", DataType.INT64)
    schema.add_field("tokens", DataType.VARCHAR, max_length=65_535, enable_analyzer=True,
                     analyzer_params={"tokenizer": "standard"})
    schema.add_field("sparse", DataType.SPARSE_FLOAT_VECTOR)
    if dimension:
        schema.add_field("dense", DataType.FLOAT_VECTOR, dim=dimension)
    schema.add_field("doc_type", DataType.VARCHAR, max_length=64)
    schema.add_field("region", DataType.VARCHAR, max_length=64)
    schema.add_field("date", DataType.INT64)
    schema.add_field("superseded", DataType.BOOL)
    schema.add_field("searchable", DataType.BOOL)
    schema.add_function(Function(name="bm25", function_type=FunctionType.BM25, input_field_names=["tokens"],
                                 output_field_names=["sparse"]))
    return schema


def _index_params(client, dimension: int | None, rows: int):
    """Build parameters go as one JSON `params` entry, which a server and Milvus Lite both read (pymilvus would
    send them key by key, which Lite ignores)."""
    params = client.prepare_index_params()
    params.add_index("sparse", index_type="SPARSE_INVERTED_INDEX", metric_type="BM25", params={"params": BM25_PARAMS})
    if dimension:
        if rows < FLAT_BELOW:
            params.add_index("dense", index_type="FLAT", metric_type="IP")
        else:
            params.add_index("dense", index_type="HNSW", metric_type="IP", params={"params": HNSW})
    for field in ("doc_type", "region", "date", "doc", "superseded", "searchable"):
        params.add_index(field, index_type="INVERTED")
    return params


def dense_search_params(rows: int) -> dict:
    return {"metric_type": "IP"} | ({"params": {"ef": HNSW_EF}} if rows >= FLAT_BELOW else {})


def write_collection(
    settings: dict,
    generation: str,
    documents: list[DocumentMeta],
    clauses: list[Clause],
    tokens: list[list[str]],
    vectors: np.ndarray | None,
    searchable: np.ndarray,
    progress=None,
) -> dict:
    """Create the generation's collection with every clause, indexed and loaded; returns the manifest's
    `engine` record. A failure drops what was made, and raises."""
    client = connect(settings["uri"], settings.get("token"), settings.get("db"))
    name = collection_name(settings.get("prefix") or DEFAULT_PREFIX, generation)
    dimension = int(vectors.shape[1]) if vectors is not None else None
    doc_pos = {meta.doc_id: i for i, meta in enumerate(documents)}
    with contextlib.suppress(Exception):
        client.drop_collection(name)  # left by a killed build of this very generation
    rows = len(clauses)
    if progress is not None:
        progress.total = rows
    try:
        client.create_collection(name, schema=_schema(client, dimension), index_params=_index_params(client, dimension, rows))
    except Exception as exc:
        raise EngineUnavailable(f"Milvus at {settings['uri']}: collection {name} cannot be created: {exc}") from exc
    try:
        batch: list[dict] = []
        for position, clause in enumerate(clauses):
            doc = doc_pos[clause.doc_id]
            meta = documents[doc]
            row = {
                "pos": position, "doc": doc, "tokens": encode_tokens(tokens[position])[:MAX_TOKENS_CHARS],
                "doc_type": (meta.doc_type or "")[:64], "region": (meta.region or "")[:64],
                "date": date_number(meta.date), "superseded": bool(meta.superseded),
                "searchable": bool(searchable[position]),
            }
            if vectors is not None:
                row["dense"] = vectors[position].tolist()
            batch.append(row)
            if len(batch) >= INSERT_BATCH:
                _insert(client, name, batch, progress)
                batch = []
        if batch:
            _insert(client, name, batch, progress)
        client.flush(name)
        client.load_collection(name)
    except BaseException as exc:
        with contextlib.suppress(Exception):
            client.drop_collection(name)
        if isinstance(exc, Exception) and not isinstance(exc, EngineUnavailable):
            raise EngineUnavailable(f"Milvus at {settings['uri']}: writing {name} failed: {exc}") from exc
        raise
    recorded = settings.get("record_uri") or settings["uri"]
    return {"kind": "milvus", "uri": lite_path(recorded), "db": settings.get("db"), "collection": name,
            "alias": settings.get("prefix") or DEFAULT_PREFIX, "rows": rows}


def _insert(client, name: str, rows: list[dict], progress) -> None:
    client.insert(name, rows)
    if progress is not None:
        progress.update(len(rows))


def write_lexicon(folder: Path, tokens: list[list[str]]) -> None:
    """Document frequencies of the clauses' tokens, and how many clauses there are (as bm25s counts them)."""
    frequency: dict[str, int] = {}
    for clause_tokens in tokens:
        for token in set(clause_tokens):
            frequency[token] = frequency.get(token, 0) + 1
    (folder / LEXICON).write_text(json.dumps({"clauses": len(tokens), "df": frequency}, ensure_ascii=False),
                                  encoding="utf-8")


def read_lexicon(folder: Path) -> tuple[int, dict[str, int]]:
    data = json.loads((folder / LEXICON).read_text(encoding="utf-8"))
    return int(data["clauses"]), data["df"]


def publish_alias(settings: dict, engine: dict, kept_generations: set[str]) -> None:
    """Point the alias at the published generation's collection, then drop the collections of generations
    that are no longer kept (their prefix is this index's)."""
    client = connect(settings["uri"], settings.get("token"), settings.get("db"))
    alias, name = engine["alias"], engine["collection"]
    if alias in client.list_aliases().get("aliases", []):
        client.alter_alias(name, alias)
    else:
        client.create_alias(name, alias)
    kept = {collection_name(alias, generation) for generation in kept_generations} | {name}
    for other in client.list_collections():
        if other.startswith(f"{alias}_g") and other not in kept:
            with contextlib.suppress(Exception):
                client.drop_collection(other)
