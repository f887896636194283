#!/usr/bin/env bash
# Install workbench into .venv, migrate the SQLite database, load the demo project and serve the app.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
[ -x .venv/bin/python ] || python3 -m venv .venv
# torch first, pinned: this is the CPU build that lies on disk; an unpinned torch pulls GBs of CUDA.
.venv/bin/pip install --quiet --disable-pip-version-check torch==2.13.0
.venv/bin/pip install --quiet --disable-pip-version-check -e .
exec .venv/bin/workbench demo --serve "$@"
