"""The BM25 index (bm25s) over jieba tokens of every clause's passage text."""

from __future__ import annotations

from pathlib import Path

import bm25s

from policy_search.tokenize import ClauseTokenizer

BM25_DIR = "bm25"
BM25_PARAMS = {"k1": 1.2, "b": 0.75, "method": "lucene"}


def build_bm25(folder: Path, passages: list[str], tokenizer: ClauseTokenizer) -> None:
    corpus = [tokenizer.tokens(text) or ["\u2205"] for text in passages]  # bm25s needs a token per document
    retriever = bm25s.BM25(**BM25_PARAMS)
    retriever.index(corpus, show_progress=False)
    retriever.save(folder / BM25_DIR, allow_pickle=False, show_progress=False)
