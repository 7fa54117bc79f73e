#!/usr/bin/env bash
# Set up, index the bundled corpus (corpus/) into var/index, and serve the API and search page.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1
.venv/bin/policy-search index corpus --out "${INDEX_DIR:-var/index}"
exec .venv/bin/policy-search serve --index "${INDEX_DIR:-var/index}" --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}"
