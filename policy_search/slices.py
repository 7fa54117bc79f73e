"""A dict built from mapped arrays in a background thread, a slice at a time, for long-lived processes.

The compact forms of the tokenizers' vocabularies (embedding/unigram.py, wordfreq.py) open in milliseconds
but answer each lookup through numpy calls over short arrays, which costs a service under load. Once a
process has shown it lives long (a few dozen texts), the same entries go into a plain dict beside them. A
single call such as `marshal.load` or `Tokenizer.from_file` would hold the GIL for the second it takes and
stall every request; here each slice holds it a few milliseconds, and searches go on through the arrays
until the dict is complete and published with one assignment.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable

import numpy as np

SLICE = 20_000  # entries put in the dict at a time: a few milliseconds with the GIL held
log = logging.getLogger("policy_search.slices")


def dict_in_slices(parts: Iterable[tuple[np.ndarray, tuple[np.ndarray, ...]]], publish: Callable[[dict], None]) -> threading.Thread:
    """Start a daemon thread that fills a dict from `parts`, each keys (numpy strings) and columns row for row
    (the value: the one column's entry, or a tuple of them), then calls `publish(the dict)`."""

    def fill() -> None:
        started = time.perf_counter()
        table: dict = {}
        for keys, columns in parts:
            for start in range(0, len(keys), SLICE):
                rows = [column[start : start + SLICE].tolist() for column in columns]
                table.update(zip(keys[start : start + SLICE].tolist(), rows[0] if len(rows) == 1 else zip(*rows)))
                time.sleep(0)  # let request threads take the GIL between slices
        publish(table)
        log.info("event=dict_built entries=%d ms=%.0f", len(table), (time.perf_counter() - started) * 1000)

    thread = threading.Thread(target=fill, name="dict-in-slices", daemon=True)
    thread.start()
    return thread
