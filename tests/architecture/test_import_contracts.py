"""DESIGN §3's layer rule, enforced on every import statement (also those inside functions)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# package -> import prefixes it must never use
FORBIDDEN = {
    "selfservice": (
        "sanic",
        "sanic_ext",
        "aiohttp",
        "redis",
        "hiredis",
        "xml",
        "defusedxml",
        "handlers",
        "channels",
        "nlp",
    ),
    "nlp": ("handlers", "channels.wechat", "sanic", "aiohttp", "redis", "hiredis"),
    "channels": ("handlers", "nlp"),
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def _violations(package: str) -> list[str]:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for line, name in _imports(path):
            for prefix in FORBIDDEN[package]:
                if name == prefix or name.startswith(prefix + "."):
                    bad.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_layer_rule(package):
    assert _violations(package) == []


def test_the_checker_sees_a_violation(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from sanic import Sanic\n    import redis.asyncio\n")
    assert [name for _, name in _imports(sample)] == ["sanic", "redis.asyncio"]
