"""The one tokenizer for BM25, used alike when indexing and when querying: jieba with a pinned dictionary."""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from importlib import resources

import jieba

from policy_search.text import fold

jieba.setLogLevel(logging.WARNING)  # jieba logs its dictionary loading at DEBUG on first use

_DATA = resources.files("policy_search") / "data"
_TOKEN = re.compile(r"[\u4e00-\u9fff]|[a-z0-9]")  # a token must hold a Han character, a letter or a digit
TITLE_PREFIX = "中华人民共和国"


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
    """jieba's search-mode cut over folded text, with the domain dictionary, title words and stopwords."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self._jieba = _new_jieba()
        self._dictionary = _read_lines("userdict.txt")
        for line in self._dictionary:
            word, freq, *tag = line.split()
            self._jieba.add_word(fold(word), int(freq), tag[0] if tag else None)
        self.extra_words = sorted({fold(w) for w in extra_words if w})
        for word in self.extra_words:
            self._jieba.add_word(word, 1000)
        self.stopwords = frozenset(fold(w) for w in _read_lines("stopwords.txt"))

    @property
    def fingerprint(self) -> str:
        """Hash of everything that decides the tokens; an index records it and readers must match it."""
        parts = ["v1", *self._dictionary, "|", *self.extra_words, "|", *sorted(self.stopwords)]
        return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()[:16]

    def tokens(self, text: str) -> list[str]:
        """Search-mode words of the folded text, stopwords and punctuation dropped."""
        return [
            token
            for token in self._jieba.cut_for_search(fold(text), HMM=False)
            if token not in self.stopwords and _TOKEN.search(token) and not token.isspace()
        ]
