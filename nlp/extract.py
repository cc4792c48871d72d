"""Extractors for form answers: yes / no / skip (colloquial and Yunnan forms), cancel and back,
Chinese dates and times ("上个月15号", "昨天晚上", "上周五下午3点"), amounts, phones, places,
party names and choices from a list with synonyms."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

from nlp.normalize import to_half_width
from nlp.slots import _date, _enterprise, extract_slots

_PUNCT = " 。.!！~～,，?？…"
YES = frozenset(
    [
        "是",
        "是的",
        "是滴",
        "对",
        "对的",
        "对头",
        "嗯",
        "嗯嗯",
        "恩",
        "好",
        "好的",
        "好滴",
        "可以",
        "行",
        "行的",
        "要得",
        "要的",
        "得呢",
        "得",
        "中",
        "没问题",
        "确认",
        "确定",
        "提交",
        "确认提交",
        "同意",
        "愿意",
        "接受",
        "ok",
        "okay",
        "yes",
        "y",
        "没错",
        "就是",
        "是啊",
        "对啊",
        "好啊",
        "可以的",
        "嗯呢",
        "必须的",
        "当然",
    ]
)
NO = frozenset(
    [
        "不",
        "不是",
        "不对",
        "不要",
        "不用",
        "否",
        "莫得",
        "不消",
        "不得",
        "不行",
        "不可以",
        "不同意",
        "不愿意",
        "no",
        "n",
        "错了",
        "不确认",
    ]
)
SKIP = frozenset(
    [
        "跳过",
        "略过",
        "没有",
        "无",
        "莫得",
        "暂无",
        "不知道",
        "不清楚",
        "不记得",
        "记不清",
        "记不得了",
        "不晓得",
        "晓不得",
        "没得",
        "先不填",
        "不填",
        "不用填",
        "跳",
    ]
)
CANCEL = frozenset(
    [
        "取消",
        "算了",
        "退出",
        "不办了",
        "不用了",
        "结束",
        "cancel",
        "q",
        "算球",
        "不弄了",
        "不搞了",
        "不整了",
        "取消吧",
        "算了吧",
    ]
)
BACK = frozenset(["上一步", "返回", "返回上一步", "回到上一步", "后退", "上一个", "back"])


def _clean(text: str) -> str:
    return to_half_width(text).strip(_PUNCT).lower()


def yes_no(text: str) -> str | None:
    """``yes``, ``no``, ``skip`` or None for a short answer."""
    word = _clean(text)
    if word in SKIP:
        return "skip"
    if word in YES:
        return "yes"
    if word in NO:
        return "no"
    return None


def is_cancel(text: str) -> bool:
    return _clean(text) in CANCEL


def is_back(text: str) -> bool:
    return _clean(text) in BACK


_PART_OF_DAY = re.compile(
    r"凌晨|清早|早上|早晨|上午|中午|下午|傍晚|晚上|夜里|半夜|深夜|今早|昨晚|今晚"
)
_CLOCK = re.compile(r"(\d{1,2}|[一二三四五六七八九十]{1,3})\s*(?:点|时|:)(半|\d{1,2}分?)?")
_WEEKDAY = re.compile(r"(上上|上|这|本|下)?(?:个)?(?:周|星期|礼拜)([一二三四五六日天1-7])")
_REL_MONTH_DAY = re.compile(r"(上上个?月|上个?月|这个?月|本月)(\d{1,2})[日号]")
_BARE_DAY = re.compile(r"(?<![\d月年])(\d{1,2})[日号](?!\d)")
_CN_DIGITS = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"两": 2}
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_PART_NORMAL = {"今早": "早上", "昨晚": "晚上", "今晚": "晚上", "清早": "早上", "早晨": "早上"}


def _cn_int(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + _CN_DIGITS[text[1]]
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _CN_DIGITS[tens] * 10 + (_CN_DIGITS[ones] if ones else 0)
    return _CN_DIGITS.get(text, 0)


def _shift_month(today: date, months: int, day: int) -> str | None:
    index = today.year * 12 + today.month - 1 + months
    try:
        return date(index // 12, index % 12 + 1, day).isoformat()
    except ValueError:
        return None


def when(text: str, today: date) -> str | None:
    """A day (``YYYY-MM-DD``, or ``YYYY-MM`` when only the month is known) with the part of the
    day and clock time when said: "昨天晚上" → ``2026-12-01 晚上``; None when nothing dated."""
    work = to_half_width(text)
    day = _day(work, today)
    if day is None:
        if not ("昨晚" in work or "今晚" in work or "今早" in work):
            return None
        day = (today - timedelta(days=1) if "昨晚" in work else today).isoformat()
    parts = []
    part = _PART_OF_DAY.search(work)
    if part:
        parts.append(_PART_NORMAL.get(part.group(), part.group()))
    clock = _CLOCK.search(work)
    if clock:
        minute = clock.group(2) or ""
        minutes = "30" if minute == "半" else minute.rstrip("分").zfill(2) if minute else "00"
        parts.append(f"{_cn_int(clock.group(1)):d}:{minutes}")
    return " ".join([day, *parts])


def _day(work: str, today: date) -> str | None:
    m = _REL_MONTH_DAY.search(work)
    if m:
        shift = -2 if m.group(1).startswith("上上") else -1 if m.group(1).startswith("上") else 0
        return _shift_month(today, shift, int(m.group(2)))
    m = _WEEKDAY.search(work)
    if m:
        weekday = _WEEKDAYS.get(m.group(2), int(m.group(2)) - 1 if m.group(2).isdigit() else 0)
        weeks = {"上上": -2, "上": -1, "下": 1}.get(m.group(1) or "", 0)
        monday = today - timedelta(days=today.weekday())
        found = monday + timedelta(weeks=weeks, days=weekday)
        if not m.group(1) and found > today:
            found -= timedelta(weeks=1)  # "周五" said on a Wednesday means the last one
        return found.isoformat()
    found = _date(work, today)
    if found:
        return found
    m = _BARE_DAY.search(work)
    if m:
        day = int(m.group(1))
        this = _shift_month(today, 0, day)
        if this and this <= today.isoformat():
            return this
        return _shift_month(today, -1, day)
    return None


_AMOUNT = re.compile(r"(\d+(?:\.\d+)?)\s*(万|千|百)?\s*(?:元|块|块钱|rmb)", re.IGNORECASE)


def amount(text: str) -> str | None:
    """An amount of money in yuan: "拖欠工资三万块" is not read (digits only), "3万元" → 30000."""
    m = _AMOUNT.search(to_half_width(text))
    if not m:
        return None
    value = float(m.group(1)) * {"万": 10000, "千": 1000, "百": 100}.get(m.group(2) or "", 1)
    return f"{value:.2f}".rstrip("0").rstrip(".")


def phone(text: str) -> str | None:
    return extract_slots(text).get("phone")


def credit_code(text: str) -> str | None:
    return extract_slots(text).get("credit_code")


def id_number(text: str) -> str | None:
    return extract_slots(text).get("id_number")


_PLACE = re.compile(
    r"((?:[\u4e00-\u9fff0-9]{1,12}?(?:省|市|州|县|区|镇|乡|街道|社区|村|街|路|巷|大道|道|小区|广场|"
    r"市场|商场|大厦|花园|苑|园区|开发区|公园|车站|学校|医院))+"
    r"(?:[0-9一二三四五六七八九十]+[号栋幢楼层室]|[东西南北]?[口门]|单元|旁边?|边上|附近|对面|里面?)*)"
)
_PLACE_LEAD = re.compile(
    r"^.*?(?:在|位于|地址是|地址|地点是|地点|就在|住在|开在|是)|^(?:我要|我想)?(?:举报|投诉|反映)"
)


def place(text: str) -> str | None:
    """An address or landmark: "在北京路123号", "城中村口那家饭店" → "城中村口"."""
    work = to_half_width(text).strip(_PUNCT)
    lead = _PLACE_LEAD.match(work)
    if lead:
        work = work[lead.end() :]
    m = _PLACE.search(work)
    if not m:
        return None
    found = re.sub(r"^(?:是|在|那家|这家|一家|那个|这个|的)", "", m.group(1))
    return found if len(found) >= 2 else None


_DESCRIBED = re.compile(
    r"((?:[\u4e00-\u9fff0-9]{0,10}?(?:那家|这家|一家|那个|这个))?[\u4e00-\u9fff]{0,8}?"
    r"(?:饭店|餐馆|餐厅|小吃店|超市|药店|药房|公司|工厂|厂|商店|商铺|门店|作坊|摊点|摊位|诊所|网吧|"
    r"酒店|宾馆|工地|学校|培训机构|店))"
)
_PARTY_LEAD = re.compile(r"^(?:我要|我想|想)?(?:举报|投诉|反映|曝光)(?:一下)?")


def party(text: str) -> str | None:
    """A party: an enterprise-shaped name ("某某有限公司"), else how the user describes it
    ("城中村口那家饭店")."""
    work = to_half_width(text).strip(_PUNCT)
    named = _enterprise(work)
    if named:
        return named
    work = _PARTY_LEAD.sub("", work)
    m = _DESCRIBED.search(work)
    return m.group(1) if m and len(m.group(1)) >= 3 else None


def choice(text: str, options: Mapping[str, tuple[str, ...]]) -> str | None:
    """The option whose name or one of whose synonyms the message contains (longest first)."""
    work = to_half_width(text).lower()
    best: tuple[int, str] | None = None
    for value, words in options.items():
        for word in (value, *words):
            if word and word.lower() in work and (best is None or len(word) > best[0]):
                best = (len(word), value)
    return best[1] if best else None


def free_text(text: str, *, minimum: int = 1, maximum: int = 2000) -> str | None:
    value = text.strip()
    return value if minimum <= len(value) <= maximum else None
