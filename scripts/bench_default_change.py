"""The service's default before and after a change, under load, in one run: throughput and p99 at 16 clients.

    python scripts/bench_default_change.py --before a5d2583 [--after HEAD] --index var/eval-eco-index-… [--rounds 3] [--seconds 15]

The code of revision `--before` is unpacked (git archive) into a temporary folder; then `scripts/bench_service.py`
of that tree and of this one run by turns (each going first every other round), `--rounds` times each, with their own defaults against the same
index, so that the machine's drift falls on both alike. Medians over the rounds, and every round, are printed.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from reports import write_report  # noqa: E402


def bench(tree: Path, index: Path, concurrency: str, seconds: float, out: Path) -> list[dict]:
    subprocess.run([sys.executable, str(tree / "scripts" / "bench_service.py"), "--index", str(index.resolve()),
                    "--concurrency", concurrency, "--seconds", str(seconds), "--out", str(out)],
                   cwd=tree, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text(encoding="utf-8"))["levels"]


def unpack(revision: str, folder: Path) -> Path:
    """The tree of a git revision, unpacked into `folder`."""
    folder.mkdir()
    archive = subprocess.run(["git", "archive", revision], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", required=True, help="the git revision whose default is compared")
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--concurrency", default="16")
    parser.add_argument("--after", default=None,
                        help="a git revision to compare in place of the work tree (both then run from unpacked copies, "
                             "the same kind of place: a service run from the work tree was seen slower)")
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench-default-change.json")
    args = parser.parse_args()
    runs: dict[str, list[list[dict]]] = {"before": [], "after": []}
    with tempfile.TemporaryDirectory() as tmp:
        before = unpack(args.before, Path(tmp) / "before")
        after = unpack(args.after, Path(tmp) / "after") if args.after else ROOT
        for round_ in range(args.rounds):
            order = (("before", before), ("after", after))
            for name, tree in order if round_ % 2 == 0 else order[::-1]:  # by turns, each side first in turn
                levels = bench(tree, args.index, args.concurrency, args.seconds, Path(tmp) / f"{name}-{round_}.json")
                runs[name].append(levels)
                print(f"round {round_ + 1} {name}: " + "; ".join(
                    f"{lv['clients']} clients {lv['throughput_qps']:.1f} q/s p50 {lv['p50_ms']:.0f} p99 {lv['p99_ms']:.0f} ms" for lv in levels), flush=True)
    summary = {}
    for name, rounds in runs.items():
        for at, level in enumerate(rounds[0]):
            key = f"{name} {level['clients']}"
            summary[key] = {m: median(r[at][m] for r in rounds) for m in ("throughput_qps", "p50_ms", "p99_ms")}
            print(f"median {key} clients: {summary[key]['throughput_qps']:.1f} q/s, p50 {summary[key]['p50_ms']:.0f} ms, p99 {summary[key]['p99_ms']:.0f} ms")
    write_report(args.out, {"before": args.before, "after": args.after or "work tree", "index": str(args.index), "runs": runs, "median": summary})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
