#!/usr/bin/env bash
# Install, create the SQLite schema, load the demo data and serve on http://127.0.0.1:8000 (no Redis).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x .venv/bin/python ]] || "${PYTHON:-python3}" -m venv .venv
. .venv/bin/activate
pip install -q --disable-pip-version-check -e .
bash scripts/system-deps.sh
export SELFSERVICE_ENV="${SELFSERVICE_ENV:-dev}"
selfservice migrate
selfservice demo
echo "open http://127.0.0.1:${PORT:-8000}/ (API docs: http://127.0.0.1:${PORT:-8000}/docs)"
exec selfservice serve --host 127.0.0.1 --port "${PORT:-8000}"
