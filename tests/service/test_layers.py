"""The retrieval core's layering: the steps around the searcher take plain data, and nothing in it speaks HTTP."""

from __future__ import annotations

import ast
from pathlib import Path

RETRIEVAL = Path(__file__).resolve().parents[2] / "service" / "retrieval"
# what the searcher hands its hits to (the ranker, the results' shape, the relations, the counterparts, the
# 新旧对照): each takes the index and plain hits, never the searcher, so none imports it, not even for types
AROUND_THE_SEARCHER = ("rerank", "results", "related", "hits", "companions", "succession", "successors", "weak")


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top, inside functions or under TYPE_CHECKING."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_steps_around_the_searcher_do_not_import_it():
    for name in AROUND_THE_SEARCHER:
        assert "service.retrieval.searcher" not in imported(RETRIEVAL / f"{name}.py"), name


def test_the_retrieval_core_speaks_no_http():
    for path in sorted(RETRIEVAL.glob("*.py")):
        web = {m for m in imported(path) if m.split(".")[0] in ("fastapi", "starlette", "uvicorn", "httpx")}
        assert not web, (path.name, web)
