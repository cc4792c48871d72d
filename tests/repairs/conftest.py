"""Repair tests reuse the objection world (departments, staff, a subject with a record)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "objections"))
