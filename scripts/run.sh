#!/usr/bin/env bash
# Set up, then index the bundled corpus (corpus/) into var/index and print what was indexed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/policy-search index corpus --out "${INDEX_DIR:-var/index}"
