"""jieba's word frequencies in a form a process maps instead of loading: the dictionary of a cold search.

jieba keeps its dictionary as one Python dict of about 500,000 words and their prefixes; loading it (from
jieba's own marshal cache) was 0.5–0.8 s of every cold start. A segmentation only ever asks for substrings
of the text it cuts, so `CompactFrequencies` keeps the same words as sorted numpy strings, one array per
length, and `frequencies(text)` returns the dict restricted to the text's substrings: jieba's own code then
cuts with it and gives the same words. The dictionary is prefix-closed (jieba adds every prefix of every
word, with frequency 0), so the search for longer substrings goes on only from the starts where the shorter
one was found.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np

from policy_search.folders import published_folder

FORMAT = 1
META = "frequencies.json"


_written: dict[str, Path] = {}  # stamp → the last folder this process wrote for it (see write_compact)


def write_compact(frequencies: dict[str, int], total: int, folder: Path, *, stamp: dict) -> None:
    """Write a jieba dictionary (FREQ and total) into `folder`, published whole by a rename; `stamp` records
    what it was made from (read back as `CompactFrequencies.stamp`). Refused for a dictionary that is not
    prefix-closed, which `frequencies` relies on.

    The stamp decides the content (it is what readers check), so a process that writes a second generation
    with the same stamp (a service taking uploads, a test suite) links the files of the first one it wrote,
    where that folder is still there and reads back with the stamp, instead of sorting half a million words
    again (0.5 s and 10 MB each time). Generations are never changed in place, so sharing the files is safe."""
    key = json.dumps(stamp, sort_keys=True, ensure_ascii=False) + f"|{total}"
    earlier = _written.get(key)
    if earlier is None or not _link_copy(earlier, folder, stamp, total):
        _write(frequencies, total, folder, stamp)
    _written[key] = folder


def _link_copy(earlier: Path, folder: Path, stamp: dict, total: int) -> bool:
    """Publish `folder` with the files of `earlier` (hard links, else copies); False where `earlier` is gone or
    is not that dictionary any more."""
    try:
        meta = json.loads((earlier / META).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT or meta.get("stamp") != stamp or meta.get("total") != total:
            return False
        names = [f"{kind}{length}.npy" for length in meta["lengths"] for kind in ("words", "freqs")] + [META]
        with published_folder(folder, META, ".frequencies-") as staging:
            for name in names:
                try:
                    os.link(earlier / name, staging / name)
                except OSError:  # another file system, or links refused
                    shutil.copyfile(earlier / name, staging / name)
    except (OSError, ValueError, KeyError):
        return False
    return True


def _write(frequencies: dict[str, int], total: int, folder: Path, stamp: dict) -> None:
    if any(len(word) > 1 and word[:-1] not in frequencies for word in frequencies):
        raise ValueError("a word's prefix is missing from the dictionary: not a jieba dictionary")
    by_length: dict[int, list[str]] = {}
    for word in frequencies:
        if word and "\x00" not in word:  # numpy's strings drop trailing NULs; jieba's words hold none
            by_length.setdefault(len(word), []).append(word)
    with published_folder(folder, META, ".frequencies-") as staging:
        for length, words in by_length.items():
            table = np.array(sorted(words), dtype=f"<U{length}")
            np.save(staging / f"words{length}.npy", table)
            np.save(staging / f"freqs{length}.npy", np.array([frequencies[w] for w in table.tolist()], dtype=np.int64))
        meta = {"format": FORMAT, "total": int(total), "lengths": sorted(by_length), "stamp": stamp}
        (staging / META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


class CompactFrequencies:
    """A jieba dictionary written by `write_compact`, memory-mapped."""

    def __init__(self, folder: Path) -> None:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{folder}: word frequencies of format {meta.get('format')}, this program reads {FORMAT}")
        self.total: int = meta["total"]
        self.stamp: dict = meta["stamp"]
        self._tables = {
            length: (np.asarray(np.load(folder / f"words{length}.npy", mmap_mode="r")),
                     np.asarray(np.load(folder / f"freqs{length}.npy", mmap_mode="r")))
            for length in meta["lengths"]
        }

    def tables(self) -> list[tuple[np.ndarray, tuple[np.ndarray]]]:
        """Every word and its frequency, a table per length (for slices.dict_in_slices)."""
        return [(words, (freqs,)) for words, freqs in self._tables.values()]

    def frequencies(self, text: str) -> dict[str, int]:
        """The dictionary's entries for every substring of `text` it holds."""
        found: dict[str, int] = {}
        size = len(text)
        if not size:
            return found
        codes = np.frombuffer(text.encode("utf-32-le"), dtype="<u4")
        starts = np.arange(size)
        length = 1
        while length <= size and length in self._tables:
            starts = starts[starts + length <= size]
            if not len(starts):
                break
            words, freqs = self._tables[length]
            windows = np.lib.stride_tricks.sliding_window_view(codes, length)[starts]
            candidates = np.ascontiguousarray(windows).view(words.dtype).ravel()
            where = np.minimum(np.searchsorted(words, candidates), len(words) - 1)
            # a candidate ending in NUL reads shorter than it is, and no word holds a NUL
            hit = (words[where] == candidates) & (windows[:, -1] != 0)
            for start, frequency in zip(starts[hit].tolist(), freqs[where[hit]].tolist()):
                found[text[start : start + length]] = frequency
            starts = starts[hit]  # a longer word's prefix is a word: only these starts can go on
            length += 1
        return found
