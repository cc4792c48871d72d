"""Slot extraction: credit codes, resident IDs, phones, receipts, dates and enterprise names."""

from __future__ import annotations

import re
from datetime import date, timedelta

from nlp.normalize import to_half_width
from selfservice.clock import Clock
from selfservice.identifiers import (
    id_birth_date,
    is_uscc_shaped,
    is_valid_id_number,
    is_valid_uscc,
    normalize_uscc,
)

CONTRACT_KEYS = ("credit_code", "invalid_credit_code", "id_number", "phone", "receipt")
EXTRA_KEYS = ("date", "enterprise_name")

_DASHES = str.maketrans({"—": "-", "–": "-", "―": "-", "‐": "-", "−": "-", "_": "-"})
_RECEIPT = re.compile(r"(?<![A-Za-z])([A-Za-z]{2}) ?(\d{8}) ?- ?(\d{4})(?![0-9])")
# Sloppy forms of the four DESIGN prefixes: YY-20261122-0042, yy20261122 0042, XF202610150003.
_LOOSE_RECEIPT = re.compile(
    r"(?<![A-Za-z0-9])(YY|XF|CN|JB)[ -]?(20\d{6})[ -]?(\d{4})(?![0-9])", re.IGNORECASE
)
# An 18-digit number next to these words is an order, card or account number, not a code.
_OTHER_NUMBER_WORDS = re.compile(
    r"订单|单号|卡号|银行卡|流水|快递|运单|账号|账户|qq|微信", re.IGNORECASE
)
_GROUPED = re.compile(
    r"(?<![0-9A-Za-z])[0-9A-Za-z]{2,8}(?:[ -][0-9A-Za-z]{2,8}){1,5}(?![0-9A-Za-z])"
)
_RUN = re.compile(r"[0-9A-Za-z]+")
_DIGITS = re.compile(r"\d+")
_PHONE = re.compile(r"(?:86)?(1[3-9]\d{9})")
_ID_WORDS = re.compile(r"身份证|证件号|身份号|公民号|个人")
_CODE_WORDS = re.compile(r"信用代码|社会代码|代码|企业|公司|执照|单位|机构|uscc", re.IGNORECASE)

_FULL_DATE = re.compile(r"(?<!\d)(\d{4})[年/.-](\d{1,2})[月/.-](\d{1,2})[日号]?(?!\d)")
_YEAR_MONTH = re.compile(r"(?<!\d)(\d{4})年(\d{1,2})月(?!\d|份?\d)")
_MONTH_DAY = re.compile(r"(?<![\d年])(\d{1,2})月(\d{1,2})[日号](?!\d)")
_DAYS_AGO = re.compile(r"(\d{1,2}|[一二三四五六七八九十两])天(?:以)?前")
_RELATIVE_DAY = {"大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "明天": 1}
_RELATIVE_DAY_RE = re.compile("|".join(sorted(_RELATIVE_DAY, key=len, reverse=True)))
_RELATIVE_MONTH = {"上上个月": -2, "上个月": -1, "上月": -1, "这个月": 0, "本月": 0, "下个月": 1}
_RELATIVE_MONTH_RE = re.compile("|".join(sorted(_RELATIVE_MONTH, key=len, reverse=True)))
_CN_NUM = {ch: i for i, ch in enumerate("零一二三四五六七八九十", 0)} | {"两": 2}

_SUFFIX = (
    "有限责任公司|股份有限公司|有限公司|分公司|公司|集团|合作社|事务所|工作室|商行|超市|酒店|饭店"
    "|餐厅|药店|药房|门市部|经营部|加工厂|厂|店"
)
_ENTERPRISE = re.compile(rf"[\u4e00-\u9fffA-Za-z0-9()（）]{{2,40}}?(?:{_SUFFIX})")
_NAME_STOP = re.compile(
    r".*(?:我们是|我们|我是|我司|本公司|叫做|叫|是|查询|查一下|查下|查|举报|投诉|反映|关于|那家|这家|"
    r"一家|那个|这个|隔壁|对面|楼下|请问|你好|您好|在|的|给|把|帮|对|被|和|跟|向|说|,|，|。|、)"
)
_GENERIC_NAME = re.compile(
    r"^(?:[我你他她它]们?|本|贵|该|某|一|这|那|哪|各|小|大|黑|新)?(?:家|个)?$"
)


def extract_slots(text: str, *, extra: bool = False, today: date | None = None) -> dict[str, str]:
    """Slots found in one message; ``extra`` adds ``date`` and ``enterprise_name``."""
    work = to_half_width(text).translate(_DASHES)
    slots: dict[str, str] = {}
    work = _receipts(work, slots)
    work = _grouped(work, slots)
    work = _runs(work, slots)
    if extra:
        day = today or Clock().today()
        found = _date(work, day)
        if found:
            slots["date"] = found
        name = _enterprise(work)
        if name:
            slots["enterprise_name"] = name
    return slots


def _blank(work: str, start: int, end: int) -> str:
    return work[:start] + " " * (end - start) + work[end:]


def _receipts(work: str, slots: dict[str, str]) -> str:
    for pattern in (_RECEIPT, _LOOSE_RECEIPT):
        for m in pattern.finditer(work):
            slots.setdefault("receipt", f"{m.group(1).upper()}{m.group(2)}-{m.group(3)}")
            work = _blank(work, m.start(), m.end())
    return work


def _grouped(work: str, slots: dict[str, str]) -> str:
    """Codes and phones typed in groups: ``138 1234 5678``, ``530102 19600101 0016``."""
    for m in _GROUPED.finditer(work):
        compact = re.sub(r"[ -]", "", m.group())
        if len(compact) in (11, 13, 18) and _classify(compact, work, slots):
            work = _blank(work, m.start(), m.end())
    return work


def _runs(work: str, slots: dict[str, str]) -> str:
    for m in _RUN.finditer(work):
        run = m.group()
        if _classify(run, work, slots):
            work = _blank(work, m.start(), m.end())
        elif len(run) > 18 or not run.isdigit():
            for d in _DIGITS.finditer(run):
                if len(d.group()) in (11, 13):
                    _classify(d.group(), work, slots)
    return work


def _classify(run: str, work: str, slots: dict[str, str]) -> bool:
    """Record ``run`` as a slot when it is one; True if it was."""
    if len(run) in (11, 13) and run.isdigit():
        m = _PHONE.fullmatch(run)
        if m:
            slots.setdefault("phone", m.group(1))
            return True
        return False
    if len(run) != 18:
        return False
    code = normalize_uscc(run)
    as_id, as_uscc = is_valid_id_number(code), is_valid_uscc(code)
    if as_id and as_uscc:
        key = "credit_code" if _prefers_code(work) else "id_number"
    elif as_id:
        key = "id_number"
    elif as_uscc:
        key = "credit_code"
    elif (
        is_uscc_shaped(code)
        and not _looks_like_id(code, work)
        and not (code.isdigit() and _OTHER_NUMBER_WORDS.search(work))
    ):
        key = "invalid_credit_code"
    else:
        return False
    slots.setdefault(key, code)
    return True


def _prefers_code(work: str) -> bool:
    """Both checks pass: the code wins only when the message talks about a code, not an ID."""
    return bool(_CODE_WORDS.search(work)) and not _ID_WORDS.search(work)


def _looks_like_id(code: str, work: str) -> bool:
    """A mistyped resident ID (digits, real birth date) is not an invalid credit code."""
    if _CODE_WORDS.search(work) and not _ID_WORDS.search(work):
        return False
    if not (code[:17].isdigit() and (code[17].isdigit() or code[17] == "X")):
        return False
    born = id_birth_date(code)
    return bool(_ID_WORDS.search(work)) or (born is not None and 1900 <= born.year <= 2030)


def _date(work: str, today: date) -> str | None:
    m = _FULL_DATE.search(work)
    if m:
        return _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _YEAR_MONTH.search(work)
    if m and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    m = _MONTH_DAY.search(work)
    if m:
        return _iso(today.year, int(m.group(1)), int(m.group(2)))
    m = _RELATIVE_DAY_RE.search(work)
    if m:
        return (today + timedelta(days=_RELATIVE_DAY[m.group()])).isoformat()
    m = _DAYS_AGO.search(work)
    if m:
        n = int(m.group(1)) if m.group(1).isdigit() else _CN_NUM[m.group(1)]
        return (today - timedelta(days=n)).isoformat()
    m = _RELATIVE_MONTH_RE.search(work)
    if m:
        months = today.year * 12 + today.month - 1 + _RELATIVE_MONTH[m.group()]
        return f"{months // 12:04d}-{months % 12 + 1:02d}"
    return None


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _enterprise(work: str) -> str | None:
    for m in _ENTERPRISE.finditer(work):
        name = m.group()
        stop = _NAME_STOP.match(name)
        if stop and stop.end() < len(name):
            name = name[stop.end() :]
        suffix = re.search(rf"(?:{_SUFFIX})$", name)
        head = name[: suffix.start()] if suffix else name
        if len(head) >= 2 and not _GENERIC_NAME.match(head):
            return name
    return None
