"""The H5 front's files under ``/static/`` (the page itself is ``GET /`` in ``handlers.chat``)."""

from __future__ import annotations

from pathlib import Path

from sanic import Blueprint

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

bp = Blueprint("web")
bp.static("/static", STATIC_DIR, name="static_files")
