#!/usr/bin/env bash
# Install the project (with its dev extra) into .venv, make sure PostgreSQL and Redis are up, run pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -x .venv/bin/python ]] || "${PYTHON:-python3}" -m venv .venv
. .venv/bin/activate
echo "installing xinyong-selfservice with dev extras …"
pip install -q --disable-pip-version-check -e '.[dev]'
bash scripts/system-deps.sh
bash scripts/services.sh
# a missing PostgreSQL or Redis fails the run (tests/conftest.py), it is never skipped
exec pytest -q -p no:cacheprovider "$@"
