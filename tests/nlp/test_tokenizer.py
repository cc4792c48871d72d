"""The domain tokenizer keeps credit terms whole and leaves jieba's global tokenizer alone."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from nlp import tokenizer

TERMS = [
    "信用修复",
    "异议申诉",
    "失信被执行人",
    "统一社会信用代码",
    "容缺受理",
    "严重失信主体名单",
    "信用承诺书",
    "告知承诺",
    "行政处罚",
    "红名单",
    "黑名单",
    "修复承诺书",
]

SENTENCES: list[tuple[str, str]] = [
    ("我想申请信用修复", "信用修复"),
    ("对行政处罚提出异议申诉", "异议申诉"),
    ("我们公司被列入失信被执行人", "失信被执行人"),
    ("统一社会信用代码是多少", "统一社会信用代码"),
    ("材料不齐能容缺受理吗", "容缺受理"),
    ("怎么移出严重失信主体名单", "严重失信主体名单"),
    ("告知承诺怎么签", "告知承诺"),
    ("红名单有啥好处", "红名单"),
    ("咋个整", "咋个整"),
]


@pytest.mark.parametrize(("sentence", "term"), SENTENCES)
def test_domain_terms_stay_whole(sentence: str, term: str) -> None:
    assert term in tokenizer.cut(sentence)


def test_user_dictionary_has_hundreds_of_terms() -> None:
    terms = tokenizer.domain_terms()
    assert len(terms) >= 300
    assert set(TERMS) <= set(terms)


def test_load_is_cached_and_uses_a_private_cache_file() -> None:
    tk = tokenizer.load()
    assert tk is tokenizer.load()
    assert tk.cache_file == tokenizer.CACHE_FILE
    assert os.path.exists(os.path.join(tokenizer.cache_dir(), tokenizer.CACHE_FILE))


def test_global_jieba_is_not_touched() -> None:
    code = (
        "import jieba\n"
        "from nlp import tokenizer\n"
        "from nlp.matcher import IntentMatcher\n"
        "IntentMatcher.load().classify('我要信用修复')\n"
        "assert tokenizer.load() is not jieba.dt\n"
        "assert not jieba.dt.initialized and not jieba.dt.FREQ, 'global jieba was initialised'\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_importing_nlp_loads_no_dictionary() -> None:
    code = (
        "import nlp.matcher, nlp.tokenizer, nlp.normalize\n"
        "assert nlp.tokenizer.load.cache_info().currsize == 0\n"
        "import jieba\n"
        "assert not jieba.dt.initialized\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
