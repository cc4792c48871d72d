"""Validation, normalisation and masking of USCC (GB 32100) and resident ID (GB 11643) numbers.

python-stdnum rejects valid codes (a letter in position 1, area codes newer than the birth
year), so the check-character arithmetic is implemented here from the standards.
"""

from __future__ import annotations

import re
from datetime import date

from selfservice.clock import Clock

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {ch: i for i, ch in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
USCC_RE = re.compile(r"[0-9A-HJ-NPQRTUWXY]{18}")

_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK = "10X98765432"
ID_RE = re.compile(r"[1-9]\d{16}[\dX]")


def uscc_check_char(body: str) -> str:
    """Return the GB 32100 check character for the first 17 characters of a USCC."""
    total = sum(_USCC_VALUE[ch] * w for ch, w in zip(body, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def normalize_uscc(value: str) -> str:
    """Strip spaces and upper-case, without validating."""
    return "".join(value.split()).upper()


def is_uscc_shaped(value: str) -> bool:
    """True for 18 characters over the USCC alphabet, whatever the check character."""
    return bool(USCC_RE.fullmatch(value))


def is_valid_uscc(value: str) -> bool:
    """True when ``value`` (already normalised) is a USCC with a correct check character."""
    return is_uscc_shaped(value) and uscc_check_char(value[:17]) == value[17]


def id_check_digit(body: str) -> str:
    """Return the GB 11643 check digit for the first 17 digits of a resident ID."""
    total = sum(int(ch) * w for ch, w in zip(body, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalize_id_number(value: str) -> str:
    """Strip spaces and turn a lower-case ``x`` into ``X``."""
    return "".join(value.split()).upper()


def id_birth_date(value: str) -> date | None:
    """The birth date encoded in a resident ID, or None when it is not a real date."""
    try:
        return date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def is_valid_id_number(value: str, *, today: date | None = None) -> bool:
    """True for an 18-character resident ID with a real, past birth date and a correct check digit.

    The area code is deliberately not checked against the birth year: people keep IDs issued
    under codes created after they were born.
    """
    if not ID_RE.fullmatch(value):
        return False
    born = id_birth_date(value)
    if born is None or born.year < 1880 or born > (today or Clock().today()):
        return False
    return id_check_digit(value[:17]) == value[17]


def mask(value: str, *, head: int, tail: int, stars: int) -> str:
    """Keep ``head`` and ``tail`` characters around a fixed run of stars (``5301**********0016``)."""
    if len(value) <= head + tail:
        return "*" * stars
    return value[:head] + "*" * stars + value[-tail:]


def mask_uscc(value: str) -> str:
    return mask(value, head=4, tail=2, stars=10)


def mask_id_number(value: str) -> str:
    return mask(value, head=4, tail=4, stars=10)


def mask_phone(value: str) -> str:
    return mask(value, head=3, tail=4, stars=4)


def mask_name(value: str) -> str:
    """Keep the surname only: 张三 → 张*, 欧阳娜娜 → 欧***."""
    return value[:1] + "*" * (len(value) - 1) if value else value
