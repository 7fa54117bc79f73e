"""An update process killed at any moment leaves a complete published generation: the old one or the new one.

Two ways of killing: SIGKILL after delays spread over a normal run of `python -m indexer.update` (from start-up
to just after it would have finished), and SIGKILL from inside the publishing steps themselves, which last
milliseconds and which a delay would rarely hit. After each kill the published generation must load and search.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.pipeline import parse_files
from policy_search import store
from service.retrieval.loaded import load_index
from service.retrieval.searcher import Searcher
from tests.conftest import LAW_TEXT, ROOT, index_small_corpus

KILLS_SPREAD = 12  # from the start to a little after a normal run would have finished
KILLS_WRITING = 8  # from the moment the new generation's staging folder appears to the end of a normal run
LATEST_KILL = 1.2  # the last spread kill comes this many normal run times after the start, so some runs finish

# Run in a child: build_index in-process, killed by SIGKILL at one step of writing or publishing a generation.
KILL_AT_STEP = """
import os, signal, sys
from pathlib import Path

import indexer.build
from indexer.build import build_index
from indexer.pipeline import parse_files

index, step, file = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])


def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def at_publish(function, target, after=False):
    # `function`, dying before (or after) the call that moves something to the publishing target
    def run(source, destination, *args, **kwargs):
        if not Path(destination).name.startswith(target):
            return function(source, destination, *args, **kwargs)
        if not after:
            die()
        function(source, destination, *args, **kwargs)
        die()
    return run


if step == "writing":  # documents and clauses written into the staging folder, BM25 not yet
    indexer.build.build_bm25 = die
elif step == "before_rename":  # staging folder complete and fsynced
    os.rename = at_publish(os.rename, "g")
elif step == "after_rename":  # generation folder in place, CURRENT still names the old one
    os.rename = at_publish(os.rename, "g", after=True)
elif step == "before_replace":  # the new CURRENT written beside the old one
    os.replace = at_publish(os.replace, "CURRENT")
elif step == "after_replace":  # CURRENT replaced, old generations not yet collected
    os.replace = at_publish(os.replace, "CURRENT", after=True)
parsed = parse_files([file])
build_index(index, parsed.documents, read_sources=parsed.sources, embedder=None)
"""
# What each step's kill publishes, and what it leaves behind (which shows the kill came at that step).
STEP_OUTCOMES = {
    "writing": ("old", {"partial staging"}),
    "before_rename": ("old", {"complete staging"}),
    "after_rename": ("old", {"unpublished generation"}),
    "before_replace": ("old", {"unpublished generation", "pointer"}),
    "after_replace": ("new", set()),
}


def law_file(folder: Path, number: int) -> tuple[Path, str]:
    """A new law, different in every run, and its title."""
    title = f"示例第{number}号保护法"
    path = folder / f"{title}(2014-04-24).txt"
    path.write_text(LAW_TEXT.replace("中华人民共和国示例保护法", title), encoding="utf-8")
    return path, title


def published(root: Path) -> tuple[str, set[str]]:
    """The published generation's name and titles, after checking that it is complete and searchable."""
    folder = store.IndexStore(root).current()
    assert folder is not None, f"nothing published in {root}"
    manifest = store.read_manifest(folder)
    documents = store.read_documents(folder)
    clauses = list(store.read_clauses(folder))
    assert manifest["generation"] == folder.name
    assert (manifest["documents"], manifest["clauses"]) == (len(documents), len(clauses))
    index = load_index(root, None)
    assert index.generation == folder.name and len(index.clauses) == len(clauses)
    assert Searcher(index, None).search("排污").hits
    return folder.name, {meta.title for meta in documents}


def leftovers(root: Path) -> set[str]:
    """What killed runs left beside the published generation."""
    generations = store.IndexStore(root).generations
    current = store.IndexStore(root).require_current().name
    found = set()
    for staging in generations.glob(".staging-*"):
        found.add("complete staging" if (staging / store.MANIFEST).is_file() else "partial staging")
    if any(folder.name > current for folder in generations.glob("g*")):
        found.add("unpublished generation")
    if any(root.glob(f".{store.CURRENT}.*")):
        found.add("pointer")
    return found


def start_update(root: Path, file: Path) -> subprocess.Popen:
    """`python -m indexer.update` in its own process group, so its sandboxed parser dies with it."""
    command = [sys.executable, "-m", "indexer.update", "--index", str(root), "--add", str(file), "--no-embed"]
    out = subprocess.DEVNULL
    return subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=out, start_new_session=True)


def kill(child: subprocess.Popen) -> None:
    try:
        os.killpg(child.pid, signal.SIGKILL)
    except ProcessLookupError:  # it had already finished
        pass
    child.wait()


def check_outcome(root: Path, before: tuple[str, set[str]], title: str) -> str:
    """'old' or 'new': the published generation is the one before the run, or one with the new law added."""
    name, titles = published(root)
    if name == before[0]:
        assert titles == before[1]
        return "old"
    assert name > before[0], f"{name} published after {before[0]}"
    assert titles == before[1] | {title}
    return "new"


@pytest.fixture
def index_dir(tmp_path: Path) -> Path:
    return index_small_corpus(tmp_path)


def test_killed_updates_leave_a_complete_generation(index_dir: Path, tmp_path: Path):
    laws = tmp_path / "laws"
    laws.mkdir()
    generations = store.IndexStore(index_dir).generations

    # A normal run first, timing the whole run and the part spent writing the new generation.
    file, title = law_file(laws, 0)
    before = published(index_dir)
    started = time.perf_counter()
    child = start_update(index_dir, file)
    writing_s = None
    while child.poll() is None:
        if writing_s is None and any(generations.glob(".staging-*")):
            writing_s = time.perf_counter() - started
        time.sleep(0.001)
    normal_s = time.perf_counter() - started
    assert child.returncode == 0 and writing_s is not None
    assert check_outcome(index_dir, before, title) == "new"

    # Kills spread over the whole run, and more over the short time the new generation is being written:
    # those are timed from the moment its staging folder appears, as run times vary more than that time lasts.
    spread = [(0.0, normal_s * LATEST_KILL * n / (KILLS_SPREAD - 1)) for n in range(KILLS_SPREAD)]
    writing = [(None, (normal_s - writing_s) * n / (KILLS_WRITING - 1)) for n in range(KILLS_WRITING)]
    outcomes = {"old": 0, "old, new generation left unfinished": 0, "new": 0}
    for number, (start, delay) in enumerate(spread + writing, start=1):
        file, title = law_file(laws, number)
        before = published(index_dir)
        left_before = set(generations.iterdir())
        child = start_update(index_dir, file)
        if start is None:
            while child.poll() is None and set(generations.glob(".staging-*")) <= left_before:
                time.sleep(0.001)
        time.sleep(delay)
        kill(child)
        outcome = check_outcome(index_dir, before, title)
        if outcome == "old" and set(generations.iterdir()) != left_before:
            outcome = "old, new generation left unfinished"
        outcomes[outcome] += 1
    print(
        f"\nnormal run {normal_s:.2f} s, writing from {writing_s:.2f} s; "
        f"{KILLS_SPREAD + KILLS_WRITING} kills, each leaving a complete generation: {outcomes}"
    )
    assert sum(outcomes.values()) == KILLS_SPREAD + KILLS_WRITING
    assert outcomes["old"] >= 1

    # Leftovers of killed runs do not stop the next update.
    staging = sorted(generations.glob(".staging-*"))
    (generations / ".staging-g999999-killed").mkdir()  # a leftover that would sort after every generation
    (generations / ".staging-g999999-killed" / store.MANIFEST).write_text("{", encoding="utf-8")
    file, title = law_file(laws, KILLS_SPREAD + KILLS_WRITING + 1)
    before = published(index_dir)
    child = start_update(index_dir, file)
    assert child.wait() == 0
    assert check_outcome(index_dir, before, title) == "new"
    print(f"next update published over {len(staging) + 1} staging leftovers")


@pytest.mark.parametrize("step", list(STEP_OUTCOMES))
def test_killed_while_publishing_leaves_a_complete_generation(index_dir: Path, tmp_path: Path, step: str):
    file, title = law_file(tmp_path, 1)
    before = published(index_dir)
    run = subprocess.run([sys.executable, "-c", KILL_AT_STEP, str(index_dir), step, str(file)], cwd=ROOT, capture_output=True)
    assert run.returncode == -signal.SIGKILL, run.stderr.decode()[-2000:]
    assert (check_outcome(index_dir, before, title), leftovers(index_dir)) == STEP_OUTCOMES[step]

    # Whatever the killed run left behind, the next update publishes.
    file, title = law_file(tmp_path, 2)
    before = published(index_dir)
    parsed = parse_files([file])
    build_index(index_dir, parsed.documents, read_sources=parsed.sources, embedder=None)
    assert check_outcome(index_dir, before, title) == "new"
