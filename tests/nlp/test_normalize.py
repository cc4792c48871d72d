"""Normalisation tables: width, case, traditional characters, dialect, pinyin and homophones."""

from __future__ import annotations

import pytest

from nlp.normalize import fold_syllable, load, normalize, to_half_width

CASES: list[tuple[str, str]] = [
    ("ＡＢＣ１２３，你好", "abc123,你好"),
    ("請問記錄有異議", "请问记录有异议"),
    ("咋个整", "怎么办"),
    ("克哪点办", "去哪里办"),
    ("哪点查", "哪里查"),
    ("莫得人管", "没有人管"),
    ("整哪样", "干什么"),
    ("整一下信用修复", "办一下信用修复"),
    ("已经整改了", "已经整改了"),
    ("哦豁", "哎呀"),
    ("jubao", "举报"),
    ("xinyong xiufu", "信用修复"),
    ("wo yao yiyi", "我要异议"),
    ("woyaojubao", "我要举报"),
    ("hello world", "hello world"),
    ("我要提意义", "我要提异议"),
    ("对处罚有异意", "对处罚有异议"),
    ("举抱隔壁饭店", "举报隔壁饭店"),
    ("修服信用", "修复信用"),
    ("心用记录", "信用记录"),
    ("进读怎么样了", "进度怎么样了"),
    ("转人工克服", "转人工客服"),
    ("承若书", "承诺书"),
    ("信用中过上查得到吗", "信用中国上查得到吗"),
    ("修复要钱不", "修复要钱吗"),
    ("帮别人认证得不得", "帮别人认证可以吗"),
    ("denglu bu shang", "登录不上"),
    ("shebao", "社保"),
    ("我想check一下credit记录", "我想查一下信用记录"),
    ("cancel", "取消"),
    ("谢谢🙏", "谢谢谢谢"),
    ("你好☀️", "你好"),
    ("先不整了", "先不办了"),
    # common words that merely sound like a domain term stay
    ("可不可以修复", "可不可以修复"),
    ("我先不", "我先不"),
    ("有什么意义", "有什么意义"),
    ("新用户注册", "新用户注册"),
    ("我们公司的记录", "我们公司的记录"),
    ("克服困难", "克服困难"),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


def test_half_width() -> None:
    assert to_half_width("ＹＹ２０２６１１２２－００４２\u3000") == "YY20261122-0042 "


def test_fold_merges_southwestern_mandarin_pairs() -> None:
    assert fold_syllable("shi") == fold_syllable("si")
    assert fold_syllable("xing") == fold_syllable("xin")


def test_pinyin_index_is_built_once() -> None:
    assert load() is load()
    assert "异议" in load().term_set
