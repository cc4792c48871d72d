"""A private jieba ``Tokenizer`` with the credit-domain user dictionary, loaded once per process."""

from __future__ import annotations

import os
import tempfile
from functools import lru_cache
from pathlib import Path

import jieba

DATA_DIR = Path(__file__).parent / "data"
USERDICT = DATA_DIR / "userdict.txt"
CACHE_FILE = "xinyong-jieba.cache"


def cache_dir() -> str:
    """A writable directory for jieba's prefix-dictionary cache (rebuilding it costs ~1 s)."""
    path = os.path.join(tempfile.gettempdir(), f"xinyong-nlp-{os.getuid()}")
    os.makedirs(path, exist_ok=True)
    return path


def domain_terms() -> list[str]:
    """The words of the user dictionary, in file order."""
    with USERDICT.open(encoding="utf-8") as fh:
        return [line.split()[0] for line in fh if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def load() -> jieba.Tokenizer:
    """The process-wide tokenizer; never touches the global ``jieba.dt``."""
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = cache_dir()
    tokenizer.cache_file = CACHE_FILE
    tokenizer.initialize()
    tokenizer.load_userdict(str(USERDICT))
    return tokenizer


def cut(text: str) -> list[str]:
    """Words of ``text`` by the domain tokenizer (no HMM: unseen words stay as characters)."""
    return load().lcut(text, HMM=False)
