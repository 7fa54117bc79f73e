"""Schema-driven fuzzing of a live server for minutes: schemathesis makes the requests from the service's own schema.

    python scripts/fuzz_api.py [--minutes 3] [--index DIR] [--seed 1]
    python scripts/fuzz_api.py --url http://127.0.0.1:8000 [--key KEY]     # a server already running

Without --url it serves a copy of --index (uploads and deletes change it), or of the bundled corpus/ indexed
without vectors, with `policy-search serve` on a free loopback port. Then, until the time is up, every operation
in turn gets a batch of valid and a batch of invalid requests (schemathesis's positive and negative
generation), and every fifth round a stateful run follows the schema's links (search → clause → related,
list → document → delete, upload → task → document). Each answer goes through schemathesis's checks (status,
content type and headers as documented, valid data accepted and invalid data refused, 405 with a true Allow)
and the error-shape check of the tests (tests/fuzzing.py). Prints requests sent, distinct inputs, 5xx answers,
errors not in the one JSON shape and the other check failures by kind, with an example of each; exits 1 when
any answer was a 5xx or broke the error shape.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import requests
import schemathesis
import hypothesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import positive_data_acceptance

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from reports import write_report  # noqa: E402

from served import served  # noqa: E402
from tests.fuzzing import CONFIG, REFUSES_VALID, error_shape_problem  # noqa: E402

BATCH = 10  # requests per operation and generation mode in one round
TIMEOUT_S = 20  # a request may ask to wait (POST /documents?wait=…) up to 600 s: the client stops before


class Tally:
    def __init__(self) -> None:
        self.requests = 0
        self.inputs: set[str] = set()
        self.statuses: Counter[int] = Counter()
        self.server_errors: list[str] = []
        self.shape: list[str] = []
        self.failures: Counter[str] = Counter()
        self.examples: dict[str, str] = {}
        self.timeouts = 0

    def record(self, case, response) -> None:
        """Count the answer and check it; `response` is None when the request timed out."""
        self.requests += 1
        request = response.request if response is not None else None
        label = f"{case.method.upper()} {case.path}"
        if request is not None:
            body = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
            self.inputs.add(hashlib.sha1(f"{request.method} {request.url} ".encode() + body).hexdigest())
        if response is None:
            self.timeouts += 1
            return
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.server_errors.append(f"{label} → {response.status_code}: {_curl(case)}")
        problem = error_shape_problem(response)
        if problem:
            self.shape.append(f"{label}: {problem}")
        excluded = [positive_data_acceptance] if label in REFUSES_VALID else []
        try:
            case.validate_response(response, excluded_checks=excluded)
        except FailureGroup as group:
            for failure in group.exceptions:
                self._failure(f"{failure.title} [{label}]", failure, case)
        except AssertionError as failure:  # a single failed check
            self._failure(f"{getattr(failure, 'title', type(failure).__name__)} [{label}]", failure, case)

    def _failure(self, key: str, failure: Exception, case) -> None:
        self.failures[key] += 1
        self.examples.setdefault(key, f"{str(failure).strip().splitlines()[:3]} — {_curl(case)}")


def _curl(case) -> str:
    try:
        return case.as_curl_command()[:20000]
    except Exception:  # some generated bodies cannot be written as a command line
        return f"{case.method.upper()} {case.formatted_path}"


def _call(case, base: str, headers: dict):
    try:
        return case.call(base_url=base, headers=headers, timeout=TIMEOUT_S)
    except requests.Timeout:
        return None


class TimeUp(Exception):
    pass


def fuzz_operation(operation, mode: GenerationMode, base: str, headers: dict, tally: Tally, seed: int, deadline: float) -> bool:
    """One batch of requests; False when the operation has no such requests (nothing to make invalid in GET /healthz)."""
    @hypothesis.seed(seed)
    @settings(max_examples=BATCH, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy(generation_mode=mode))
    def one(case) -> None:
        if time.monotonic() < deadline:
            tally.record(case, _call(case, base, headers))

    try:
        one()
    except Unsatisfiable:
        return False
    return True


def stateful_round(schema, base: str, headers: dict, tally: Tally, deadline: float) -> None:
    machine = schema.as_state_machine()

    class Recorded(machine):
        def call(self, case, **kwargs):
            if time.monotonic() >= deadline:
                raise TimeUp
            response = _call(case, base, headers)
            tally.record(case, response)
            if response is None:
                raise TimeUp  # a chain cannot go on without the answer
            return response

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            return None  # already checked in call()

    try:
        Recorded.run(settings=settings(max_examples=5, stateful_step_count=6, deadline=None, database=None,
                                       suppress_health_check=list(HealthCheck)))
    except TimeUp:
        pass


def fuzz(base: str, headers: dict, minutes: float, seed: int) -> Tally:
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json", headers=headers, config=CONFIG)
    operations = [result.ok() for result in schema.get_all_operations()]
    tally = Tally()
    deadline = time.monotonic() + minutes * 60
    batches = [(operation, mode) for operation in operations for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    rounds = 0
    while time.monotonic() < deadline:
        for operation, mode in list(batches):
            if time.monotonic() >= deadline:
                break
            if not fuzz_operation(operation, mode, base, headers, tally, seed + rounds, deadline):
                batches.remove((operation, mode))
        rounds += 1
        if rounds % 5 == 0 and time.monotonic() < deadline:
            stateful_round(schema, base, headers, tally, deadline)
        print(f"round {rounds}: {tally.requests} requests, {len(tally.server_errors)} 5xx, "
              f"{len(tally.shape)} shape violations", file=sys.stderr, flush=True)
    return tally


def prepare_index(given: Path | None, work: Path) -> Path:
    """A copy of the given index, or the bundled corpus indexed without vectors, under `work`."""
    out = work / "index"
    if given is not None:
        shutil.copytree(given, out, ignore=shutil.ignore_patterns("tasks", "uploads"))  # the embedding cache too: updates re-embed nothing
        return out
    from indexer.build import build_index
    from indexer.pipeline import discover, parse_files

    files, _ = discover([ROOT / "corpus"])
    result = parse_files(files)
    build_index(out, result.documents, read_sources=result.sources)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--url", default=None, help="a running server (default: serve a copy of --index)")
    parser.add_argument("--key", default=None, help="an admin key, when the server has keys")
    parser.add_argument("--index", type=Path, default=None, help="index to copy and serve (default: corpus/ without vectors)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "fuzz-api.json")
    args = parser.parse_args()
    headers = {"X-API-Key": args.key} if args.key else {}
    started = time.monotonic()
    with ExitStack() as stack:
        base = args.url
        if base is None:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="policy-search-fuzz-")))
            base = stack.enter_context(served(prepare_index(args.index, work)))
        tally = fuzz(base.rstrip("/"), headers, args.minutes, args.seed)
    report = {
        "minutes": round((time.monotonic() - started) / 60, 2),
        "requests": tally.requests,
        "distinct_inputs": len(tally.inputs),
        "server_errors": len(tally.server_errors),
        "shape_violations": len(tally.shape),
        "timeouts": tally.timeouts,
        "statuses": dict(sorted(tally.statuses.items())),
        "check_failures": dict(tally.failures.most_common()),
        "examples": {"5xx": tally.server_errors[:5], "shape": tally.shape[:5], **tally.examples},
    }
    print(f"requests sent        {report['requests']}")
    print(f"distinct inputs      {report['distinct_inputs']}")
    print(f"5xx answers          {report['server_errors']}")
    print(f"shape violations     {report['shape_violations']}")
    print(f"timeouts ({TIMEOUT_S} s)      {report['timeouts']}")
    print(f"statuses             {report['statuses']}")
    print(f"other check failures {sum(tally.failures.values())}")
    for key, count in tally.failures.most_common():
        print(f"  {count:5d}  {key}\n         e.g. {tally.examples[key][:400]}")  # whole in the report
    write_report(args.out, report)
    return 1 if tally.server_errors or tally.shape else 0


if __name__ == "__main__":
    raise SystemExit(main())
