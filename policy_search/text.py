"""Text normalisation for matching: width and compatibility forms folded, the original kept for display."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACES = re.compile(r"[\s\u3000\u00a0]+")
_VERSION_SUFFIX = re.compile(r"[（(][^()（）]*(?:修订|修正|试行|草案|暂行|版)[^()（）]*[)）]$")


def fold(text: str) -> str:
    """NFKC (full-width → half-width, compatibility forms → plain) and lower case, for matching only."""
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=65536)
def _fold_char(ch: str) -> str:
    return fold(ch)


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """fold() character by character, with the original offset of every folded character."""
    out: list[str] = []
    offsets: list[int] = []
    for index, ch in enumerate(text):
        folded = _fold_char(ch)
        out.append(folded)
        if len(folded) == 1:
            offsets.append(index)
        else:
            offsets.extend([index] * len(folded))
    return "".join(out), offsets


def compact(text: str) -> str:
    """fold() with all whitespace removed: for comparing titles and texts across formats."""
    return _SPACES.sub("", fold(text))


def title_key(title: str) -> str:
    """The key shared by all versions of one document: folded title without a (2023年修订)-style suffix."""
    key = compact(title)
    while True:
        stripped = _VERSION_SUFFIX.sub("", key)
        if stripped == key:
            return key
        key = stripped
