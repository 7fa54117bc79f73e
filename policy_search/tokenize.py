"""The one tokenizer for BM25, used alike when indexing and when querying: jieba with a pinned dictionary."""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import jieba

from policy_search import wordfreq
from policy_search.text import fold

jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG on first use

_DATA = resources.files("policy_search") / "data"
_TOKEN = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]")  # a token must hold a Han character, a letter or a digit
TITLE_PREFIX = "中华人民共和国"
COMPACT_TEXTS = 64  # texts cut through the compact dictionary alone; after them its whole dict is built beside


_BASE_DICTIONARY: tuple[dict[str, int], int] | None = None


def _new_jieba() -> jieba.Tokenizer:
    """A private jieba tokenizer; the base dictionary is loaded once per process and copied after that."""
    global _BASE_DICTIONARY
    tokenizer = jieba.Tokenizer()
    if _BASE_DICTIONARY is None:
        tokenizer.initialize()
        _BASE_DICTIONARY = (dict(tokenizer.FREQ), tokenizer.total)
    else:
        tokenizer.FREQ, tokenizer.total = dict(_BASE_DICTIONARY[0]), _BASE_DICTIONARY[1]
        tokenizer.initialized = True
    return tokenizer


def _read_lines(name: str) -> list[str]:
    return [line.strip() for line in (_DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def short_titles(title: str) -> list[str]:
    """Names a title is known by inside its own text: without 中华人民共和国 and without a (试行)-style suffix."""
    names = []
    core = re.sub(r"[（(][^()（）]*[)）]$", "", fold(title).replace(" ", ""))
    for name in (core, core.removeprefix(fold(TITLE_PREFIX))):
        if 2 <= len(name) <= 30 and name not in names:
            names.append(name)
    return names


class ClauseTokenizer:
    """jieba's search-mode cut over folded text, with the domain dictionary, title words and stopwords.

    With `compact`, the folder where the indexer saved this dictionary's compact form (`save_compact`), a
    searching process maps that (policy_search/wordfreq.py: milliseconds, where jieba's dictionary takes
    0.5–0.8 s to load). Cutting a text through it costs 0.3–1 ms more (numpy's calls over a few short
    arrays), so once it has cut COMPACT_TEXTS texts (a one-shot query never does), the whole dictionary is
    built from it in the background, a slice at a time (policy_search/slices.py), and used once complete.
    The same words either way."""

    def __init__(self, extra_words: Iterable[str] = (), *, compact: Path | None = None) -> None:
        self._dictionary = _read_lines("userdict.txt")
        self.extra_words = sorted({fold(w) for w in extra_words if w})
        self.stopwords = frozenset(fold(w) for w in _read_lines("stopwords.txt"))
        self._compact = self._open_compact(compact) if compact is not None else None
        self._compact_texts = 0
        self._building = threading.Lock()  # taken by the one thread that starts building the whole dict
        self._jieba = None if self._compact is not None else self._full_jieba()

    def _full_jieba(self) -> jieba.Tokenizer:
        tokenizer = _new_jieba()
        for line in self._dictionary:
            word, freq, *tag = line.split()
            tokenizer.add_word(fold(word), int(freq), tag[0] if tag else None)
        for word in self.extra_words:
            tokenizer.add_word(word, 1000)
        return tokenizer

    @property
    def fingerprint(self) -> str:
        """Hash of everything that decides the tokens; an index records it and readers must match it."""
        parts = ["v1", *self._dictionary, "|", *self.extra_words, "|", *sorted(self.stopwords)]
        return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()[:16]

    def _stamp(self) -> dict:
        return {"fingerprint": self.fingerprint, "jieba": jieba.__version__}

    def _open_compact(self, folder: Path) -> wordfreq.CompactFrequencies | None:
        """The compact dictionary in `folder` when it was written for this dictionary and jieba; else None."""
        try:
            compact = wordfreq.CompactFrequencies(folder)
        except (OSError, ValueError, KeyError):  # an index written before it had one, or another format
            return None
        return compact if compact.stamp == self._stamp() else None

    def save_compact(self, folder: Path) -> None:
        """Write the compact form of this dictionary into `folder` (the indexer: into the generation)."""
        full = self._jieba if self._jieba is not None else self._full_jieba()
        wordfreq.write_compact(full.FREQ, full.total, folder, stamp=self._stamp())

    def _cutter(self, text: str) -> jieba.Tokenizer:
        """jieba with the whole dictionary, or one that holds the text's own words from the compact form."""
        if self._jieba is not None:
            return self._jieba
        self._compact_texts += 1
        if self._compact_texts > COMPACT_TEXTS and self._building.acquire(blocking=False):  # once, never released
            from policy_search.slices import dict_in_slices

            dict_in_slices(self._compact.tables(), self._publish)
        cutter = jieba.Tokenizer()
        cutter.FREQ, cutter.total, cutter.initialized = self._compact.frequencies(text), self._compact.total, True
        return cutter

    def _publish(self, frequencies: dict[str, int]) -> None:
        """jieba over the whole dictionary, as built from the compact form: what `_full_jieba` gives for cutting
        (add_word's tags and forced splits serve only part-of-speech tagging and the HMM, which this leaves off)."""
        full = jieba.Tokenizer()
        full.FREQ, full.total, full.initialized = frequencies, self._compact.total, True
        self._jieba = full

    def tokens(self, text: str) -> list[str]:
        """Search-mode words of the folded text, stopwords and punctuation dropped."""
        folded = fold(text)
        return [
            token
            for token in self._cutter(folded).cut_for_search(folded, HMM=False)
            if token not in self.stopwords and _TOKEN.search(token) and not token.isspace()
        ]
