"""The validation protocol: fixed folds, bootstrap intervals, and settings chosen only on folds they are not judged on.

Every figure is a mean over queries with a 95% percentile-bootstrap interval over those queries. A ranking
component (the learned ranker, the dense weight, the priors, the thesaurus, …) is judged by cross-validation:
for each fold, the value with the best objective on the other folds is chosen and then scored on that fold.
Out-of-fold, the chosen values are compared query by query with the current default; a change is kept only
where it wins there (its paired difference above zero) and the same value is chosen on most folds.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

import numpy as np

FOLDS = 5
RESAMPLES = 2000
SEED = 20260


def fold_of(key: str, folds: int = FOLDS, salt: str = "protocol") -> int:
    """A fixed fold for a query id: a hash, so adding queries never moves the others."""
    return int(hashlib.sha1(f"{salt}:{key}".encode()).hexdigest()[:8], 16) % folds


def bootstrap_ci(values, resamples: int = RESAMPLES, seed: int = SEED, level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean over queries."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(resamples, len(values)))].mean(axis=1)
    tail = (1 - level) / 2 * 100
    return float(np.percentile(means, tail)), float(np.percentile(means, 100 - tail))


def with_ci(values) -> str:
    """`0.812 [0.771, 0.850]`: the mean and its interval."""
    values = np.asarray(values, dtype=np.float64)
    low, high = bootstrap_ci(values)
    return f"{values.mean():.3f} [{low:.3f}, {high:.3f}]"


def diff_ci(a, b) -> str:
    """The paired difference a − b over the same queries, with its interval: `+0.012 [-0.004, +0.029]`."""
    d = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    low, high = bootstrap_ci(d)
    return f"{d.mean():+.3f} [{low:+.3f}, {high:+.3f}]"


@dataclass
class Verdict:
    """One component judged under the protocol."""

    component: str
    current: str  # the value the default had
    chosen: list[str]  # the value chosen on the other folds, fold by fold
    out_of_fold: np.ndarray  # per query, the objective of the value chosen without that query's fold
    baseline: np.ndarray  # per query, the objective of the current value
    fold_wins: int  # folds where the chosen value beat the current one on that fold

    @property
    def majority(self) -> str:
        return Counter(self.chosen).most_common(1)[0][0]

    @property
    def keep_change(self) -> bool:
        """A change is kept when the value chosen on other folds beats the current one on the held-out folds, and
        most folds choose the same value."""
        most, count = Counter(self.chosen).most_common(1)[0]
        return most != self.current and count > len(self.chosen) / 2 and float((self.out_of_fold - self.baseline).mean()) > 0

    @property
    def decision(self) -> str:
        return f"change to {self.majority}" if self.keep_change else f"keep {self.current}"


def cross_validate(component: str, scores: dict[str, np.ndarray], folds: np.ndarray, current: str,
                   sets: np.ndarray | None = None) -> Verdict:
    """Choose among `scores` (value → per-query objective) on all folds but one, score the choice on that one.

    `sets` labels each query with its query set; the objective on a selection is then the mean of the sets' means,
    so that a set of 100 queries and one of 200 weigh the same."""
    names = list(scores)
    matrix = np.stack([scores[name] for name in names])  # values × queries
    sets = np.zeros(matrix.shape[1], dtype=np.int64) if sets is None else sets
    out = np.zeros(matrix.shape[1])
    chosen, wins = [], 0
    base_row = names.index(current)
    for fold in sorted(set(folds.tolist())):
        train, test = folds != fold, folds == fold
        objective = np.zeros(len(names))
        for label in set(sets[train].tolist()):
            part = train & (sets == label)
            objective += matrix[:, part].mean(axis=1)
        # ties go to the current value, then to the earlier value in the grid
        best = max(range(len(names)), key=lambda i: (round(objective[i], 9), i == base_row, -i))
        chosen.append(names[best])
        out[test] = matrix[best, test]
        wins += int(matrix[best, test].mean() > matrix[base_row, test].mean())
    return Verdict(component, current, chosen, out, matrix[base_row], wins)
