"""The query tokenizer of XLM-R-style models without parsing `tokenizer.json` in every process.

Loading the model's `tokenizer.json` through the `tokenizers` library parses 250,000 pieces and builds a
trie of them: about a second of every cold search. The pipeline itself is small: split off the special
tokens, the normaliser (a Precompiled charsmap), split into words with ▁ before each (Metaspace), the
unigram model's best segmentation of each word (Viterbi over the pieces' log probabilities, unknown
characters fused into one `<unk>`), cut to the model's length, `<s> … </s>`, padded to the longest.

`CompactUnigram` runs that pipeline over the pieces kept as sorted arrays in the cache (written once per
model, beside its exported graph, and memory-mapped): looking a piece up is a binary search, not a trie
that must be built first. A process that goes on past ARRAY_TEXTS texts puts the pieces in a dict too, in
the background (policy_search/slices.py), and looks them up there once it is complete. The normaliser and the split into words are the `tokenizers` library's own, read
from the same file without its vocabulary, and the segmentation follows its `Unigram::encode_optimized` step for step (the same candidates in
the same order, the same float64 sums, ties kept by the first), so the ids are the library's: a test
compares them on varied texts. Any other model or framing is left to the library (`load_query_tokenizer`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from array import array
from pathlib import Path

import numpy as np

from policy_search.folders import published_folder

log = logging.getLogger("policy_search.embedding")

FORMAT = 2  # bump when the files below change
UNK_PENALTY = 10.0  # tokenizers' K_UNK_PENALTY: an unknown character scores the lowest piece's score minus this
CACHE_WORDS = 10_000
ARRAY_TEXTS = 64  # texts tokenized through the arrays alone; after them a dict of the pieces is built beside
PIECES, IDS, SCORES, PIPELINE = "pieces.npy", "ids.npy", "scores.npy", "pipeline.json"


class CompactUnigram:
    """Token ids and attention masks of a batch, as `tokenizers` gives them for the same tokenizer.json."""

    def __init__(self, folder: Path, max_length: int) -> None:
        from tokenizers import Tokenizer

        pipeline = json.loads((folder / PIPELINE).read_text(encoding="utf-8"))
        if pipeline.get("format") != FORMAT:
            raise ValueError(f"{folder}: compact tokenizer format {pipeline.get('format')}, this program reads {FORMAT}")
        # mapped, not read: only the pages a search touches are read; plain arrays over the map, as np.memmap's
        # own indexing is several times slower
        self._pieces, self._ids, self._scores = (np.asarray(np.load(folder / name, mmap_mode="r")) for name in (PIECES, IDS, SCORES))
        self._longest = int(self._pieces.dtype.itemsize // 4)  # characters in the longest piece
        # the normaliser and the split, whatever they are, run by the library from the tokenizer.json without
        # its vocabulary (a millisecond to load)
        shell = Tokenizer.from_str(json.dumps(pipeline["shell"]))
        self._normalizer, self._split = shell.normalizer, shell.pre_tokenizer
        self._special: dict[str, int] = pipeline["special"]
        self._special_split = re.compile("|".join(re.escape(t) for t in sorted(self._special, key=len, reverse=True)))
        self.unk_id: int = pipeline["unk_id"]
        self._unk_score: float = pipeline["min_score"] - UNK_PENALTY
        self.bos_id, self.eos_id, self.pad_id = pipeline["bos_id"], pipeline["eos_id"], pipeline["pad_id"]
        self.max_length = max_length
        self._cache: dict[str, list[int]] = {}  # word → its ids: the prompt and common words are segmented once
        self._texts = 0
        # piece → id, once built (slices.py), and each id's score: ints and floats only, so that the garbage
        # collector never walks them (a dict of tuples is walked by every full collection of a service)
        self._table: dict[str, int] | None = None
        self._score_of = array("d")
        self._building = threading.Lock()  # taken by the one thread that starts building the dict, never released

    def encode_batch(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(input ids, attention mask), int64, padded on the right to the longest text."""
        self._texts += len(texts)
        if self._texts > ARRAY_TEXTS and self._building.acquire(blocking=False):  # a long-lived process: once
            from policy_search.slices import dict_in_slices

            dict_in_slices([(self._pieces, (self._ids,))], self._publish)
        rows = [[self.bos_id, *self.content_ids(text)[: self.max_length - 2], self.eos_id] for text in texts]
        width = max((len(row) for row in rows), default=0)
        ids = np.full((len(rows), width), self.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        return ids, mask

    def content_ids(self, text: str) -> list[int]:
        """The ids of a text without <s> and </s>: special tokens written in it, then each word's pieces."""
        ids: list[int] = []
        at = 0
        for special in self._special_split.finditer(text) if self._special else ():
            ids += self._segment_ids(text[at : special.start()])
            ids.append(self._special[special.group()])
            at = special.end()
        ids += self._segment_ids(text[at:])
        return ids

    def _segment_ids(self, segment: str) -> list[int]:
        if not segment:
            return []
        normalized = self._normalizer.normalize_str(segment) if self._normalizer is not None else segment
        words = [word for word, _ in self._split.pre_tokenize_str(normalized)] if self._split is not None else [normalized]
        new = list(dict.fromkeys(word for word in words if word not in self._cache))
        for word, found in zip(new, self._pieces_in(new)):
            if len(self._cache) >= CACHE_WORDS:  # as tokenizers' own word cache: bounded, not evicted one by one
                self._cache.clear()
            self._cache[word] = self._word_ids(word, found)
        ids: list[int] = []
        for word in words:
            ids += self._cache.get(word) or self._word_ids(word, self._pieces_in([word])[0])
        return ids

    def _publish(self, table: dict[str, int]) -> None:
        scores = np.empty(len(self._ids), dtype=np.float64)
        scores[self._ids] = self._scores
        self._score_of = array("d", scores.tobytes())
        self._table = table

    def _pieces_in(self, words: list[str]) -> list[list[list[tuple[int, int, float]]]]:
        """For each word and each start in it, the pieces that start there: (end, id, score), shortest first."""
        table = self._table
        if table is None:
            return self._pieces_in_arrays(words)
        found: list[list[list[tuple[int, int, float]]]] = []
        for word in words:
            size = len(word)
            starts: list[list[tuple[int, int, float]]] = []
            for start in range(size):
                here = []
                for end in range(start + 1, min(size, start + self._longest) + 1):
                    piece_id = table.get(word[start:end])
                    if piece_id is not None:
                        here.append((end, piece_id, self._score_of[piece_id]))
                starts.append(here)
            found.append(starts)
        return found

    def _pieces_in_arrays(self, words: list[str]) -> list[list[list[tuple[int, int, float]]]]:
        """_pieces_in through the mapped arrays: for each word and each start in it, the pieces that start there: (end, id, score), shortest first.

        Every substring up to the longest piece's length, of all the words at once, is looked up in one binary
        search: the words joined by NULs as code points, each start's window of characters cut to each length
        and read as numpy strings. A substring holding a NUL (a separator, or one in the text) is no piece."""
        found: list[list[list[tuple[int, int, float]]]] = [[[] for _ in word] for word in words]
        joined = "\x00".join(words)
        size, longest = len(joined), self._longest
        if not size:
            return found
        codes = np.zeros(size + longest, dtype="<u4")
        codes[:size] = np.frombuffer(joined.encode("utf-32-le"), dtype="<u4")
        windows = np.lib.stride_tricks.sliding_window_view(codes, longest)[:size]  # row s: the characters from s
        lengths = np.arange(1, longest + 1)
        cut = windows[None, :, :] * (np.arange(longest)[None, :] < lengths[:, None])[:, None, :]  # [length - 1, start]
        table = np.ascontiguousarray(cut).view(self._pieces.dtype).reshape(longest, size)
        nuls = np.concatenate([[0], np.cumsum(codes[:size] == 0)])  # NULs before each position
        starts = np.arange(size)
        ends = starts[None, :] + lengths[:, None]
        valid = (ends <= size) & (nuls[np.minimum(ends, size)] == nuls[starts][None, :])
        length_index, start_index = np.nonzero(valid)
        candidates = table[length_index, start_index]
        where = np.minimum(np.searchsorted(self._pieces, candidates), len(self._pieces) - 1)
        hits = np.flatnonzero(self._pieces[where] == candidates)
        hit_starts, hit_ends = start_index[hits], start_index[hits] + length_index[hits] + 1
        order = np.lexsort((hit_ends, hit_starts))  # by start, then shortest first
        rows = where[hits][order]
        word_starts = np.cumsum([0] + [len(word) + 1 for word in words[:-1]])
        word_of = np.searchsorted(word_starts, hit_starts[order], side="right") - 1
        local_starts = hit_starts[order] - word_starts[word_of]
        local_ends = hit_ends[order] - word_starts[word_of]
        for w, start, end, piece_id, score in zip(word_of.tolist(), local_starts.tolist(), local_ends.tolist(),
                                                  self._ids[rows].tolist(), self._scores[rows].tolist()):
            found[w][start].append((end, piece_id, score))
        return found

    def _word_ids(self, word: str, pieces: list[list[tuple[int, int, float]]]) -> list[int]:
        """tokenizers' Unigram::encode_optimized and tokenize over one word, in characters rather than bytes."""
        size = len(word)
        best_score = [0.0] * (size + 1)
        best_start: list[int] = [-1] * (size + 1)
        best_id = [0] * (size + 1)
        for start in range(size):
            till_here = best_score[start]
            single = False
            for end, piece_id, score in pieces[start]:  # the trie's prefixes, shortest first
                candidate = score + till_here
                if best_start[end] < 0 or candidate > best_score[end]:
                    best_score[end], best_start[end], best_id[end] = candidate, start, piece_id
                single = single or end == start + 1
            if not single:
                candidate = self._unk_score + till_here
                if best_start[start + 1] < 0 or candidate > best_score[start + 1]:
                    best_score[start + 1], best_start[start + 1], best_id[start + 1] = candidate, start, self.unk_id
        tokens: list[tuple[int, int, bool]] = []  # (start, end, unknown), last first
        end = size
        while end > 0:
            start = best_start[end]
            unknown = best_id[end] == self.unk_id
            if unknown and tokens and tokens[-1][2]:  # consecutive unknowns fuse into one token
                tokens[-1] = (start, tokens[-1][1], True)
            else:
                tokens.append((start, end, unknown))
            end = start
        # a fused unknown is looked up as a whole, as tokenize() does: <unk> unless the text is a piece
        return [self._id_of(word[start:end]) if unknown else best_id[end] for start, end, unknown in reversed(tokens)]

    def _id_of(self, text: str) -> int:
        if "\x00" in text or len(text) > self._longest:
            return self.unk_id
        where = int(np.searchsorted(self._pieces, np.array(text, dtype=self._pieces.dtype)))
        if where < len(self._pieces) and str(self._pieces[where]) == text:
            return int(self._ids[where])
        return self.unk_id


def _pipeline_facts(spec: dict) -> dict | None:
    """What CompactUnigram needs from a tokenizer.json, or None when its model or its framing is not what it
    runs: a unigram model without byte fallback, `<s> $A </s>`, special tokens matched as written."""
    model, post = spec.get("model") or {}, spec.get("post_processor") or {}
    if model.get("type") != "Unigram" or model.get("byte_fallback") or model.get("unk_id") is None:
        return None
    if post.get("type") != "TemplateProcessing":
        return None
    vocabulary = model["vocab"]
    tokens = {token["content"]: token for token in spec.get("added_tokens", [])}
    single = [next(iter(part.values())) for part in post.get("single", [])]
    names = [part.get("id") for part in single]
    if len(names) != 3 or names[1] != "A" or "Sequence" not in post["single"][1] or any(part.get("type_id") for part in single):
        return None
    if any(t["single_word"] or t["lstrip"] or t["rstrip"] or t["normalized"] or not t["special"] for t in tokens.values()):
        return None  # only special tokens matched as written are split off here
    if any(t["id"] >= len(vocabulary) or vocabulary[t["id"]][0] != name for name, t in tokens.items()):
        return None
    if spec.get("truncation") or spec.get("padding"):
        return None  # set by the reader (max_length, the pad token), as LibraryTokenizer does
    unk = vocabulary[model["unk_id"]][0]
    shell = spec | {"added_tokens": [], "model": {"type": "Unigram", "unk_id": 0, "vocab": [[unk, 0.0]], "byte_fallback": False}}
    return {
        "format": FORMAT,
        "shell": shell,
        "special": {name: t["id"] for name, t in tokens.items()},
        "unk_id": model["unk_id"],
        "min_score": min(score for _, score in vocabulary),
        "bos_id": post["special_tokens"][names[0]]["ids"][0],
        "eos_id": post["special_tokens"][names[2]]["ids"][0],
    }


def write_compact(tokenizer_json: Path, folder: Path, pad_token: str) -> bool:
    """Write the compact form of a tokenizer.json into `folder` (published whole by a rename); False when
    its pipeline is another one, or a piece holds a NUL (which numpy's strings cannot keep)."""
    spec = json.loads(Path(tokenizer_json).read_text(encoding="utf-8"))
    facts = _pipeline_facts(spec)
    if facts is None:
        return False
    vocabulary = spec["model"]["vocab"]
    pieces = [piece for piece, _ in vocabulary]
    if any("\x00" in piece or not piece for piece in pieces) or len(set(pieces)) != len(pieces) or pad_token not in pieces:
        return False
    facts["pad_id"] = pieces.index(pad_token)
    table = np.array(pieces)  # <U{longest}
    order = np.argsort(table, kind="stable")
    with published_folder(folder, PIPELINE, ".tokenizer-") as staging:
        np.save(staging / PIECES, table[order])
        np.save(staging / IDS, order.astype(np.int32))
        np.save(staging / SCORES, np.array([score for _, score in vocabulary], dtype=np.float64)[order])
        (staging / PIPELINE).write_text(json.dumps(facts), encoding="utf-8")
    log.info("event=tokenizer_compacted path=%s", folder)
    return True


def compact_folder(cache: Path, tokenizer_json: Path) -> Path:
    """Where the compact form of this tokenizer.json lives: named by a hash of its bytes and the format."""
    digest = hashlib.sha1(Path(tokenizer_json).read_bytes()).hexdigest()[:16]
    return cache / f"unigram-{FORMAT}-{digest}"
