#!/usr/bin/env bash
# Set up, then run the whole test suite (tests using ../shared skip where it is absent).
# Two workers (pytest-xdist; PYTEST_WORKERS to change, 0 for none): much of the suite waits on browsers,
# servers and killed children, so two processes on two cores take 6 min where one took 11.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest -n "${PYTEST_WORKERS:-2}" "$@"
