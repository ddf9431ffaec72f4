#!/usr/bin/env bash
# One-time set-up on a fresh machine: venv, CPU torch first (never a CUDA build), the project, models.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
# A CJK font for the staff charts (PNG); best effort: the charts still render (with a warning) without it.
if ! fc-list :lang=zh 2>/dev/null | grep -q . && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null) \
    || echo "fonts-noto-cjk not installed: charts will warn about missing Chinese glyphs"
fi
[ -d .venv ] || "$PY" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
# torch==2.13.0 CPU lies on this machine's disk; installing it first stops sentence-transformers pulling CUDA.
python -m pip install -q "torch==2.13.0"
python -m pip install -q -e ".[test]"
if [ -f tests/e2e/package.json ] && command -v npm >/dev/null 2>&1; then
  (cd tests/e2e && npm install --no-audit --no-fund --silent) || echo "npm install failed: the emulator tests will be skipped"
fi
deputy-assistant models fetch
