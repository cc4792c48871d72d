"""Report tests reuse the objection world and add a custodian and a county department."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "objections"))
