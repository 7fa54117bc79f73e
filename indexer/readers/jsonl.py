"""JSON lines of already-split clauses, {"id", "title", "article", "text"}: one document per distinct title."""

from __future__ import annotations

import json

from indexer.readers.base import PresplitClause, RawDocument, decode_text
from policy_search.errors import UnsupportedDocument


def read_jsonl(name: str, data: bytes) -> list[RawDocument]:
    documents: dict[str, RawDocument] = {}
    for number, line in enumerate(decode_text(name, data).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UnsupportedDocument(name, f"line {number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise UnsupportedDocument(name, f"line {number}: expected an object with id, title, article, text")
        for key in ("id", "title", "text"):
            if record.get(key) in (None, ""):
                raise UnsupportedDocument(name, f"line {number}: field {key!r} is missing or empty")
        if not isinstance(record["title"], str) or not isinstance(record["text"], str):
            raise UnsupportedDocument(name, f"line {number}: fields 'title' and 'text' must be strings")
        title = record["title"].strip()
        doc = documents.setdefault(title, RawDocument(source=name, title=title, presplit=[]))
        article = record.get("article")
        doc.presplit.append(PresplitClause(str(record["id"]), str(article).strip() if article else None, record["text"]))
    if not documents:
        raise UnsupportedDocument(name, "no clauses in file")
    return list(documents.values())
