"""Whether a search found anything that matches: a notice for the person when its best hits are weak.

Two signals of the best hits, each cheap: the share of the query's words (weighted by rarity) the best of them
holds, and the cosine of the nearest clause to the query. A search is weak when both are low. The thresholds
are calibrated by `scripts/calibrate_weak_match.py` on folds of the visible query sets (every one of which has
answers) and on queries of words the index never holds, and checked on the folds they were not chosen on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from policy_search.text import fold

if TYPE_CHECKING:
    from service.retrieval.loaded import LoadedIndex

WEAK_NOTICE = "没有找到与查询明显相关的条款：以下结果与查询的词语和意思都相差较远，仅供参考；可换用文件中的说法后再试"
CHECKED_HITS = 5  # the best hits whose words are checked


@dataclass(frozen=True)
class WeakMatch:
    """A search is weak when the best word coverage and the best cosine are both below their thresholds."""

    max_coverage: float = 0.2
    max_cosine: float | None = 0.41  # None: the words alone decide (an index without vectors, BM25 searches)

    def is_weak(self, coverage: float, cosine: float | None) -> bool:
        if coverage >= self.max_coverage:
            return False
        return cosine is None or self.max_cosine is None or cosine < self.max_cosine


def quick_coverage(index: LoadedIndex, tokens: list[str], positions: list[int]) -> float:
    """The most of the query's distinct words (weighted by rarity) that one of the units holds, each word looked
    for as a substring of the folded text: no tokenizing of clauses on the search path, which under load cost
    more than the rest of a search."""
    words = [word for word in dict.fromkeys(tokens) if len(word) > 1 or word.isdigit()]
    weights = index.idf(words)
    total = float(weights.sum())
    if not words or total <= 0:
        return 0.0
    best = 0.0
    for position in positions:
        clause = index.clauses[position]
        heading = clause.locator.path[-1] if clause.locator.path else ""
        text = fold(f"{heading} {clause.text}")
        best = max(best, sum(float(w) for word, w in zip(words, weights) if word in text) / total)
    return best


def coverage(index: LoadedIndex, tokens: list[str], position: int) -> float:
    """The share of the query's distinct words found in a unit (with the heading it sits under), weighted by rarity;
    the document's title is left out, as a title word (会议, 长江) says little of what one clause requires."""
    words = [word for word in dict.fromkeys(tokens) if len(word) > 1 or word.isdigit()]  # as highlights are
    weights = index.idf(words)
    if not words or weights.sum() <= 0:
        return 0.0
    clause = index.clauses[position]
    heading = clause.locator.path[-1] if clause.locator.path else ""
    present = set(index.tokenizer.tokens(f"{heading} {clause.text}"))
    return float(sum(w for word, w in zip(words, weights) if word in present) / weights.sum())
