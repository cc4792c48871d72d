"""Generate a migration for model changes: ``python scripts/makemigrations.py [-n NAME]``."""

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

with tempfile.TemporaryDirectory() as tmp:
    conf = Path(tmp) / "_mig_conf.py"
    conf.write_text(
        "from selfservice.db import tortoise_config\n"
        f"TORTOISE_ORM = tortoise_config('sqlite://{tmp}/mig.sqlite3')\n"
    )
    cmd = ["tortoise", "-c", "_mig_conf.TORTOISE_ORM", "makemigrations", *sys.argv[1:]]
    env = {"PYTHONPATH": f"{tmp}:{ROOT}", "PATH": str(Path(sys.executable).parent) + ":/usr/bin"}
    raise SystemExit(subprocess.call(cmd, cwd=ROOT, env=env))
