#!/usr/bin/env bash
# Install the project (with its dev extra) into .venv, make sure PostgreSQL and Redis are up,
# lint (ruff check, ruff format --check), run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x .venv/bin/python ]] || "${PYTHON:-python3}" -m venv .venv
. .venv/bin/activate
echo "installing xinyong-selfservice with dev extras …"
pip install -q --disable-pip-version-check -e '.[dev]'
bash scripts/system-deps.sh
bash scripts/services.sh
ruff check .
ruff format --check .
# a missing PostgreSQL or Redis fails the run (tests/conftest.py), it is never skipped;
# the suite includes the schemathesis run against a real server (tests/foundation)
exec pytest -q -p no:cacheprovider "$@"
