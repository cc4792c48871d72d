"""Pledge tests import their factories by a unique module name, and the objection upload helper."""

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "objections")]
