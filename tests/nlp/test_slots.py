"""Utterance → slots tables: every key, invalid codes, boundaries, numbers that are not slots."""

from __future__ import annotations

from datetime import date

import pytest

from nlp.slots import extract_slots
from selfservice.identifiers import id_check_digit, is_valid_id_number, is_valid_uscc

USCC = "91530100MA6K0R1X6T"
USCC_Y = "Y1530000MB00000014"
ID = "530102196001010016"
ID_X = "11010519491231002X"

CASES: list[tuple[str, dict[str, str]]] = [
    (f"我们的代码是{USCC}，查一下", {"credit_code": USCC}),
    (f"代码{USCC.lower()}", {"credit_code": USCC}),
    (f"{USCC_Y}这家单位", {"credit_code": USCC_Y}),
    ("信用代码91530100MA6K0R1X6A有异议", {"invalid_credit_code": "91530100MA6K0R1X6A"}),
    (f"身份证{ID}帮我认证", {"id_number": ID}),
    ("身份证号11010519491231002x", {"id_number": ID_X}),
    ("身份证 530102 19600101 0016", {"id_number": ID}),
    ("电话13812345678", {"phone": "13812345678"}),
    ("手机 138-1234-5678 联系我", {"phone": "13812345678"}),
    ("+86 13912345678", {"phone": "13912345678"}),
    ("回执YY20261122-0042进度", {"receipt": "YY20261122-0042"}),
    ("jb20260301-0007查一下", {"receipt": "JB20260301-0007"}),
    ("编号XF20260102－0100", {"receipt": "XF20260102-0100"}),
    ("回执YY-20261122-0042", {"receipt": "YY20261122-0042"}),
    ("yy20261122 0042 到哪了", {"receipt": "YY20261122-0042"}),
    ("编号XF202610150003", {"receipt": "XF20261015-0003"}),
    ("订单号202611221234567890", {}),
    ("验证码是 482913", {}),
    (
        f"我是{ID}，电话13812345678，回执CN20260505-1234",
        {"id_number": ID, "phone": "13812345678", "receipt": "CN20260505-1234"},
    ),
    # numbers that are not slots
    ("罚了5000元", {}),
    ("2025年的处罚", {}),
    ("验证码是123456", {}),
    ("15个工作日了还没处理", {}),
    ("138123456789", {}),
    ("我的卡号6222021234567890123", {}),
    ("编号YY2026112-0042", {}),
    # a mistyped resident ID is not an invalid credit code
    ("身份证530102196001010017", {}),
]


@pytest.mark.parametrize(("text", "slots"), CASES)
def test_slots(text: str, slots: dict[str, str]) -> None:
    assert extract_slots(text) == slots


def test_fixture_codes_are_valid() -> None:
    assert is_valid_uscc(USCC) and is_valid_uscc(USCC_Y)
    assert is_valid_id_number(ID) and is_valid_id_number(ID_X)


def test_an_id_is_not_read_as_a_credit_code_or_phone() -> None:
    slots = extract_slots(f"号码{ID}")
    assert slots == {"id_number": ID}


def test_valid_as_both_prefers_the_id_unless_the_text_speaks_of_a_code() -> None:
    body = "53010219600101001"
    both = next(
        body[:-1] + d + id_check_digit(body[:-1] + d)
        for d in "0123456789"
        if is_valid_uscc(body[:-1] + d + id_check_digit(body[:-1] + d))
    )
    assert is_valid_id_number(both) and is_valid_uscc(both)
    assert extract_slots(f"号码{both}") == {"id_number": both}
    assert extract_slots(f"统一社会信用代码{both}") == {"credit_code": both}


def test_phone_inside_a_longer_digit_run_is_not_a_phone() -> None:
    assert "phone" not in extract_slots("流水号2013812345678999")


def test_extra_slots_dates_and_enterprise_names() -> None:
    today = date(2026, 3, 15)
    cases = {
        "2026年3月被罚的": {"date": "2026-03"},
        "上个月提交的": {"date": "2026-02"},
        "昨天交的材料": {"date": "2026-03-14"},
        "2025年12月1日的处罚": {"date": "2025-12-01"},
        "我们是昆明滇池水务有限公司": {"enterprise_name": "昆明滇池水务有限公司"},
        "举报隔壁的老王饭店": {"enterprise_name": "老王饭店"},
        "我们公司被罚了": {},
    }
    for text, expected in cases.items():
        assert extract_slots(text, extra=True, today=today) == expected, text


def test_extra_slots_are_off_by_default() -> None:
    assert extract_slots("昨天在昆明滇池水务有限公司") == {}
