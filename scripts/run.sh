#!/usr/bin/env bash
# Set up, index the bundled corpus (corpus/) and the national laws environment staff cite into var/index, and serve.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
.venv/bin/policy-search index corpus --national-laws environment --out "${INDEX_DIR:-var/index}"
exec .venv/bin/policy-search serve --index "${INDEX_DIR:-var/index}" --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
