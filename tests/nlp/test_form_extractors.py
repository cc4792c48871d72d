"""Form answer extractors as tables of Chinese inputs (today is Wednesday 2026-12-02)."""

from __future__ import annotations

from datetime import date

import pytest

from nlp import extract

TODAY = date(2026, 12, 2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("上个月15号", "2026-11-15"),
        ("昨天晚上", "2026-12-01 晚上"),
        ("昨晚", "2026-12-01 晚上"),
        ("上周五下午3点", "2026-11-27 下午 3:00"),
        ("前天", "2026-11-30"),
        ("大前天中午", "2026-11-29 中午"),
        ("12月1日", "2026-12-01"),
        ("周一", "2026-11-30"),
        ("周五", "2026-11-27"),
        ("15号", "2026-11-15"),
        ("1号", "2026-12-01"),
        ("3月5日上午十点半", "2026-03-05 上午 10:30"),
        ("2026年10月3日", "2026-10-03"),
        ("三天前", "2026-11-29"),
        ("上上个月3号", "2026-10-03"),
        ("去年", None),
        ("不记得了", None),
    ],
)
def test_dates_and_times(text, expected):
    assert extract.when(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("是的", "yes"),
        ("要得", "yes"),
        ("对头", "yes"),
        ("嗯嗯", "yes"),
        ("好的！", "yes"),
        ("确认", "yes"),
        ("不是", "no"),
        ("不要", "no"),
        ("不消", "no"),
        ("跳过", "skip"),
        ("莫得", "skip"),
        ("没有", "skip"),
        ("不晓得", "skip"),
        ("北京路", None),
    ],
)
def test_yes_no_skip(text, expected):
    assert extract.yes_no(text) == expected


@pytest.mark.parametrize(
    ("text", "place", "party"),
    [
        ("举报城中村口那家饭店卖过期食品，昨天晚上", "城中村口", "城中村口那家饭店"),
        ("地址是北京路123号", "北京路123号", None),
        ("在五华区人民中路", "五华区人民中路", None),
        ("昆明市五华区青年路88号3楼", "昆明市五华区青年路88号3楼", None),
        ("我要举报昆明某某餐饮有限公司拖欠工资", None, "昆明某某餐饮有限公司"),
    ],
)
def test_places_and_parties(text, place, party):
    assert extract.place(text) == place
    assert extract.party(text) == party


def test_amounts_choices_cancel_back():
    assert extract.amount("拖欠工资3万元") == "30000"
    assert extract.amount("罚了500块") == "500"
    assert extract.amount("很多钱") is None
    options = {"容缺受理型": ("容缺", "缺材料"), "主动型": ("主动", "公开承诺")}
    assert extract.choice("窗口让我们签容缺承诺", options) == "容缺受理型"
    assert extract.choice("随便", options) is None
    assert (
        extract.is_cancel("算了吧") and extract.is_cancel("不办了") and not extract.is_cancel("算")
    )
    assert extract.is_back("上一步") and not extract.is_back("下一步")
