"""Segmentation of the shared corpus of 420 environmental laws (skipped where ../shared is absent)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT, shared_path


def test_every_eco_article_and_format_twin_matches_its_source():
    shared_path("corpus", "eco", "manifest.jsonl")
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_segmentation.py")], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "eco: 420 documents, 19223 articles" in run.stdout


def test_manifest_metadata_reaches_the_documents():
    folder = shared_path("corpus", "eco")
    from indexer.pipeline import parse_files

    rows = [json.loads(line) for line in (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()[:20]]
    result = parse_files([folder / row["file"] for row in rows])
    assert not result.failures
    for row, doc in zip(rows, result.documents):
        assert (doc.meta.title, doc.meta.doc_type, doc.meta.region, doc.meta.date) == (
            row["title"], row["doc_type"], row["region"], row["date"]
        )
