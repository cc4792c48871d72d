"""USCC (GB 32100) and resident ID (GB 11643) validation and masking, including stdnum's misses."""

from datetime import date

import pytest

from selfservice.identifiers import (
    id_check_digit,
    is_uscc_shaped,
    is_valid_id_number,
    is_valid_uscc,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_uscc,
    normalize_id_number,
    normalize_uscc,
    uscc_check_char,
)


@pytest.mark.parametrize(
    "code",
    [
        "91530100MA6K0R1X6T",
        "Y1530000MB00000014",  # letter in position 1 (stdnum rejects it)
        "91350100M000100Y43",
        "92530102MA6W8A4M2R",  # individual business
    ],
)
def test_valid_uscc(code):
    assert is_valid_uscc(code)


@pytest.mark.parametrize(
    "code",
    [
        "91530100MA6K0R1X6A",  # wrong check char
        "91530100MA6K0R1X6",  # 17 chars
        "91530100MA6K0R1X6TT",  # 19 chars
        "91530100MA6K0I1X6T",  # I is not in the alphabet
        "91530100MA6K0O1X6T",  # O neither
        "91530100ma6k0r1x6t",  # not normalised
        "",
    ],
)
def test_invalid_uscc(code):
    assert not is_valid_uscc(code)


def test_uscc_shape_separates_wrong_check_char():
    assert is_uscc_shaped("91530100MA6K0R1X6A") and not is_valid_uscc("91530100MA6K0R1X6A")
    assert uscc_check_char("91530100MA6K0R1X6") == "T"
    assert normalize_uscc(" 91530100 ma6k0r1x6t ") == "91530100MA6K0R1X6T"


@pytest.mark.parametrize(
    "number",
    [
        "530102196001010016",  # area code newer than the birth year (stdnum rejects it)
        "11010519491231002X",
        "530102200002290015"
        if id_check_digit("53010220000229001") == "5"
        else "53010220000229001" + id_check_digit("53010220000229001"),  # leap day
    ],
)
def test_valid_id_numbers(number):
    assert is_valid_id_number(number)


@pytest.mark.parametrize(
    "number",
    [
        "530102196001010017",  # wrong check digit
        "53010219600230" + "0016",  # 30 February
        "530102190013010016",  # month 13
        "53010230000101001" + id_check_digit("53010230000101001"),  # born in 3000
        "030102196001010016",  # leading zero
        "53010219600101001",  # 17 digits
        "11010519491231002x",  # lower-case x before normalisation
    ],
)
def test_invalid_id_numbers(number):
    assert not is_valid_id_number(number)


def test_lowercase_x_normalises():
    assert normalize_id_number("11010519491231002x") == "11010519491231002X"
    assert is_valid_id_number(normalize_id_number("11010519491231002x"))


def test_birth_date_must_not_be_in_the_future():
    body = "53010220270101001"
    number = body + id_check_digit(body)
    assert not is_valid_id_number(number, today=date(2026, 11, 22))
    assert is_valid_id_number(number, today=date(2027, 6, 1))


def test_masks():
    assert mask_id_number("530102196001010016") == "5301**********0016"
    assert mask_uscc("91530100MA6K0R1X6T") == "9153**********6T"
    assert mask_phone("13888000001") == "138****0001"
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
