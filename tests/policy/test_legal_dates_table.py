"""Dated cases, each expected value worked out from the rule text in its comment.

Conventions under test (README "Working days and periods"):
- 民法典 art. 201: the day of the event is not counted; art. 202: a period in months or years ends
  on the corresponding day of the last month, or that month's last day when it has none.
- What starts "after" a period starts the next day: repair after the minimum's last day,
  publication stops after the maximum's last day; good information and list membership are valid
  through their last day. Art. 203 (a last day on a holiday moves to the next working day) extends
  a time limit for acting; it does not lengthen a publication or waiting period, which would only
  burden the subject (art. 204 and the overlay rule: local readings may only protect).
- A submission received on a non-working day is deemed received on the next working day, and n
  working days are counted after that day (调休 weekends count, holidays do not).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import selfservice.calendar as cal
from selfservice.calendar import WorkCalendar
from selfservice.calendar.holiday_file import read_holiday_file
from selfservice.cases import clock
from selfservice.cases.models import Case
from selfservice.policy import load_policy

D = date.fromisoformat
ROWS_2027 = {
    e.day: e.workday
    for e in read_holiday_file(Path(cal.__file__).parent / "data" / "holidays_2027.csv")
}
CALENDARS = {
    "none": WorkCalendar(),  # no 2027 table: weekdays less the fixed statutory holidays
    "provisional": WorkCalendar(extra_days=ROWS_2027, years={2027: True}),
    "official": WorkCalendar(extra_days=ROWS_2027, years={2027: False}),
}

# (calendar, filed on, n working days, deemed received, due, estimated)
DEADLINES = [
    # Wed 2026-03-04 is a working day: received that day; the 1st working day after is Thu 03-05
    ("none", "2026-03-04", 1, "2026-03-04", "2026-03-05", False),
    # Sat 03-07: received Mon 03-09; the 1st working day after that is Tue 03-10
    ("none", "2026-03-07", 1, "2026-03-09", "2026-03-10", False),
    # Sun 03-08: received Mon 03-09; 10 working days: 03-10..13 (4), 03-16..20 (9), Mon 03-23
    ("none", "2026-03-08", 10, "2026-03-09", "2026-03-23", False),
    # Sat 2026-02-14 is a 调休 working day: received that day; 02-15..23 are the Spring Festival
    # break (国办发明电 2026 notice, via chinese-calendar), so the 1st working day is Tue 02-24
    ("none", "2026-02-14", 1, "2026-02-14", "2026-02-24", False),
    # Tue 02-17 (初一) is a holiday: received on the first working day, Tue 02-24; due Wed 02-25
    ("none", "2026-02-17", 1, "2026-02-24", "2026-02-25", False),
    # Sun 02-15: received 02-24; 15 days: 02-25..27 (3), Sat 02-28 调休 (4), 03-02..06 (9),
    # 03-09..13 (14), Mon 03-16 (15)
    ("none", "2026-02-15", 15, "2026-02-24", "2026-03-16", False),
    # 国庆 Thu 10-01: 10-01..07 off, received Thu 10-08; 10-09 (1), Sat 10-10 调休 (2),
    # 10-12..16 (7), 10-19..21 (10)
    ("none", "2026-10-01", 10, "2026-10-08", "2026-10-21", False),
    # Sun 2026-09-20 is a 调休 working day: received that day; 09-21, 22, 23 are days 1–3
    ("none", "2026-09-20", 3, "2026-09-20", "2026-09-23", False),
    # Sat 10-10 (调休) received that day; Sun 10-11 is off, Mon 10-12 is the 1st working day
    ("none", "2026-10-10", 1, "2026-10-10", "2026-10-12", False),
    # 中秋 Fri 09-25: weekend after it, received Mon 09-28; due Tue 09-29
    ("none", "2026-09-25", 1, "2026-09-28", "2026-09-29", False),
    # 劳动节 Fri 05-01 (05-01..05 off): received Wed 05-06; 05-07 (1), 05-08 (2),
    # Sat 05-09 调休 (3), 05-11 (4), 05-12 (5)
    ("none", "2026-05-01", 5, "2026-05-06", "2026-05-12", False),
    # Thu 2026-12-31 into 2027 with no table: 元旦 01-01 is fixed by 《全国年节及纪念日放假办法》
    # and excluded by the fallback; weekend 01-02/03; due Mon 01-04, an estimate
    ("none", "2026-12-31", 1, "2026-12-31", "2027-01-04", True),
    # the provisional 2027 table agrees (01-01..03 off) but is not official: still an estimate
    ("provisional", "2026-12-31", 1, "2026-12-31", "2027-01-04", True),
    # the same rows loaded as the official notice: no longer an estimate
    ("official", "2026-12-31", 1, "2026-12-31", "2027-01-04", False),
    # Fri 2027-02-05 is 除夕 (lunar 12-30); the fallback closes 除夕..初三 (02-05..08):
    # received Tue 02-09, due Wed 02-10
    ("none", "2027-02-05", 1, "2027-02-09", "2027-02-10", True),
    # the provisional table closes 02-05..13: received Mon 02-15, due Tue 02-16, estimated
    ("provisional", "2027-02-05", 1, "2027-02-15", "2027-02-16", True),
    # the official table, same days: not estimated
    ("official", "2027-02-05", 1, "2027-02-15", "2027-02-16", False),
    # Sun 2027-01-31 is a 调休 working day in the table: received that day, due Mon 02-01
    ("provisional", "2027-01-31", 1, "2027-01-31", "2027-02-01", True),
    # without the table that Sunday is a weekend: received Mon 02-01, due Tue 02-02
    ("none", "2027-01-31", 1, "2027-02-01", "2027-02-02", True),
    # 国庆 2027 without a table: only 10-01..03 (Fri–Sun) are fixed; received Mon 10-04;
    # 10-05, 06, 07 are days 1–3
    ("none", "2027-10-01", 3, "2027-10-04", "2027-10-07", True),
    # with the official table 10-01..07 are off and Sat 10-09 is 调休: received Fri 10-08;
    # 10-09 (1), 10-11 (2), 10-12 (3)
    ("official", "2027-10-01", 3, "2027-10-08", "2027-10-12", False),
    # 清明 2027 is the solar term on Mon 04-05 (fixed holiday): Fri 04-02 + 1 → Tue 04-06
    ("none", "2027-04-02", 1, "2027-04-02", "2027-04-06", True),
    # 端午 2027 is lunar 5-5 = Wed 06-09: Tue 06-08 + 1 → Thu 06-10
    ("none", "2027-06-08", 1, "2027-06-08", "2027-06-10", True),
    # 中秋 2027 is lunar 8-15 = Wed 09-15: a filing that day is received Thu 09-16, due Fri 09-17
    ("none", "2027-09-15", 1, "2027-09-16", "2027-09-17", True),
    # 劳动节 2027 (5-1, 5-2) falls on a weekend; the fallback invents no bridge: Mon 05-03 works
    ("none", "2027-04-30", 1, "2027-04-30", "2027-05-03", True),
    # 2028 春节: 除夕 Tue 01-25 to 初三 Fri 01-28 off, then a weekend: Mon 01-24 + 1 → Mon 01-31
    ("none", "2028-01-24", 1, "2028-01-24", "2028-01-31", True),
    # an objection filed Fri 2026-12-18 (Yuxi art. 21: 15 working days) with the official 2027
    # table: 12-21..25 (5), 12-28..31 (9), 01-01 off, 01-04..08 (14), Mon 01-11 (15)
    ("official", "2026-12-18", 15, "2026-12-18", "2027-01-11", False),
    # the same without a table: 元旦 is still excluded, the same day, but estimated
    ("none", "2026-12-18", 15, "2026-12-18", "2027-01-11", True),
]


@pytest.mark.parametrize(("calendar", "filed", "n", "received", "due", "estimated"), DEADLINES)
def test_deadlines(calendar, filed, n, received, due, estimated) -> None:
    deadline = CALENDARS[calendar].deadline(D(filed), n)
    assert (deadline.received, deadline.due, deadline.estimated) == (D(received), D(due), estimated)


# (calendar, current due, working days added, new due, estimated afterwards)
EXTENSIONS = [
    # due Wed 2026-09-30 + 5: 10-01..07 off; 10-08 (1), 10-09 (2), Sat 10-10 调休 (3), 10-12,
    # 10-13 (5); all of it in 2026, which chinese-calendar knows
    ("none", "2026-09-30", 5, "2026-10-13", False),
    # due Tue 2026-12-29 + 5 with no 2027 table: 12-30, 12-31, (01-01 元旦 off), 01-04, 01-05,
    # 01-06; the extension now reaches an unknown year, so the flag turns on
    ("none", "2026-12-29", 5, "2027-01-06", True),
    # the same with the provisional table: same days, still estimated
    ("provisional", "2026-12-29", 5, "2027-01-06", True),
    # the same with the official table: not estimated
    ("official", "2026-12-29", 5, "2027-01-06", False),
]


@pytest.mark.parametrize(("calendar", "due", "days", "new_due", "estimated"), EXTENSIONS)
def test_extensions(calendar, due, days, new_due, estimated) -> None:
    before = cal.get_calendar()
    cal.set_calendar(CALENDARS[calendar])
    try:
        case = Case(filed_on=D("2026-12-01"), due=D(due), step_due=None, extended_days=0)
        case.due_estimated = False
        clock.extend(case, days=days)
    finally:
        cal.set_calendar(before)
    assert (case.due, case.due_estimated, case.extended_days) == (D(new_due), estimated, days)


# (jurisdiction, severity, class, finding date, published, repairable from, published through)
PERIODS = [
    # 令第36号 第二章: 一般 3 months to 1 year. Found 2026-04-01: the 3-month minimum's last day is
    # 07-01 (art. 202), repair from 07-02; the 1-year maximum's last day is 2027-04-01
    ("kunming", "general", None, "2026-04-01", True, "2026-07-02", "2027-04-01"),
    # 严重 1 to 3 years: minimum ends 2027-04-01 → repair 04-02; maximum ends 2029-04-01
    ("kunming", "severe", None, "2026-04-01", True, "2027-04-02", "2029-04-01"),
    # 轻微: not published, repairable as soon as the obligations are met; at most 3 months
    ("kunming", "minor", None, "2026-04-01", False, "2026-04-01", "2026-07-01"),
    # found 2026-11-30: 2027-02-30 does not exist, the minimum ends on the month-end 02-28
    ("kunming", "general", None, "2026-11-30", True, "2027-03-01", "2027-11-30"),
    # found 2027-11-30: 2028 is a leap year, the minimum ends 2028-02-29
    ("kunming", "general", None, "2027-11-30", True, "2028-03-01", "2028-11-30"),
    # found on the leap day 2028-02-29: 1 year ends 2029-02-28 (no 02-29), 3 years 2031-02-28
    ("yuxi", "severe", None, "2028-02-29", True, "2029-03-01", "2031-02-28"),
    # found 2026-05-31: minimum ends 08-31, repair from 09-01
    ("kunming", "general", None, "2026-05-31", True, "2026-09-01", "2027-05-31"),
    # found 2026-08-31: 11-31 does not exist → minimum ends 11-30, repair from 12-01
    ("kunming", "general", None, "2026-08-31", True, "2026-12-01", "2027-08-31"),
    # found 2026-07-01: the minimum ends on 国庆 10-01; a waiting period is not a time limit for
    # acting, art. 203 does not postpone it: repair from 10-02 (an application that day is
    # deemed received on 10-08)
    ("yuxi", "general", None, "2026-07-01", True, "2026-10-02", "2027-07-01"),
    # found 2026-10-01: the maximum ends on 国庆 2027-10-01; publication stops 10-02, not later
    ("kunming", "general", None, "2026-10-01", True, "2027-01-02", "2027-10-01"),
    # 轻微 found 2026-12-31: at most 3 months, ends 2027-03-31
    ("kunming", "minor", None, "2026-12-31", False, "2026-12-31", "2027-03-31"),
    # regime boundary: found 2026-03-31 under 令第58号 (3 months to 3 years): minimum ends 06-30
    # → 07-01; still published on 2026-04-01, so the transition rule takes the 2026 maximum of
    # 1 year (more favourable): last day 2027-03-31
    ("kunming", "general", None, "2026-03-31", True, "2026-07-01", "2027-03-31"),
    # 发改办财金〔2019〕527号 (until 2023-04-30): 一般 3 months to 1 year from the decision:
    # found 2023-04-30, minimum ends 07-30 → 07-31; maximum ends 2024-04-30
    ("kunming", "general", None, "2023-04-30", True, "2023-07-31", "2024-04-30"),
    # 令第58号 from 2023-05-01: minimum ends 08-01 → 08-02; its 3-year maximum would run to
    # 2026-05-01, but the 2026 one-year maximum already ended (2024-05-01): stops 2026-04-01
    ("kunming", "general", None, "2023-05-01", True, "2023-08-02", "2026-03-31"),
    # before 527号 (2019-07-01) no national period existed; the platform rule borrows 527号's:
    # 严重 6 months → ends 12-30, repair 12-31; 3 years → 2022-06-30
    ("kunming", "severe", None, "2019-06-30", True, "2019-12-31", "2022-06-30"),
    # 527号 严重 found 2019-07-01: 6 months end 2020-01-01 → repair 01-02; 3 years 2022-07-01
    ("kunming", "severe", None, "2019-07-01", True, "2020-01-02", "2022-07-01"),
    # Yuxi art. 12(二) from 2018-03-01: 3 years from the finding date, no minimum (art. 17)
    ("yuxi", "general", None, "2018-03-01", True, "2018-03-01", "2021-03-01"),
    # the day before Yuxi's rules: the platform rule (527号 numbers): 3 months → 05-28 → 05-29
    ("yuxi", "general", None, "2018-02-28", True, "2018-05-29", "2019-02-28"),
    # Yuxi from 2019-07-01: art. 12(三) yields to 527号's 1-year maximum for 一般
    ("yuxi", "general", None, "2019-07-01", True, "2019-07-01", "2020-07-01"),
    # Yuxi from 2023-05-01: art. 12(三) applies 令第58号 (3 months to 3 years); cut to 2026-03-31
    # by the transition as above
    ("yuxi", "general", None, "2023-05-01", True, "2023-08-02", "2026-03-31"),
    # 消防 under 令第58号: 1-year minimum (ends 2025-06-01); the 2026 rule's 3 months (ends
    # 2024-09-01) is more favourable under the transition: repair from 2024-09-02
    ("yuxi", "general", "fire_safety_penalty", "2024-06-01", True, "2024-09-02", "2026-03-31"),
    # 消防 found 2025-06-01: old minimum ends 2026-06-01, new 2025-09-01 → 2025-09-02; maximum:
    # old 2028-06-01, new 2026-06-01 (still running on 04-01) → 2026-06-01
    ("kunming", "general", "fire_safety_penalty", "2025-06-01", True, "2025-09-02", "2026-06-01"),
    # 安全生产 严重 found 2023-06-01 under 令第58号: 1-year minimum ends 2024-06-01 → 06-02, 3 years
    # end 2026-06-01 (still running on 04-01); the 2026 严重 periods (1 to 3 years) are the same
    ("kunming", "severe", "work_safety_penalty", "2023-06-01", True, "2024-06-02", "2026-06-01"),
    # Yuxi art. 10(四): 轻微 conduct is not bad information: not published, an empty period
    ("yuxi", "minor", None, "2025-06-10", False, "2025-06-10", "2025-06-09"),
]


@pytest.mark.parametrize(
    ("jurisdiction", "severity", "cls", "found", "published", "eligible", "through"), PERIODS
)
def test_periods(jurisdiction, severity, cls, found, published, eligible, through) -> None:
    periods = load_policy(jurisdiction).periods_for("bad", severity, D(found), catalogue_class=cls)
    assert (periods.published, periods.repairable_from, periods.published_through) == (
        published,
        D(eligible),
        D(through),
    )


# (severity or None for good information, found, validity end, on, repairable, expired)
ON_A_DATE = [
    # 一般 found 2026-04-01: the minimum's last day 07-01 is not yet "after" the minimum
    ("general", "2026-04-01", None, "2026-07-01", False, False),
    # 07-02 is the day after: repair open
    ("general", "2026-04-01", None, "2026-07-02", True, False),
    # 2027-04-01 is the maximum's last day: still published
    ("general", "2026-04-01", None, "2027-04-01", True, False),
    # 2027-04-02: publication has stopped
    ("general", "2026-04-01", None, "2027-04-02", True, True),
    # 严重 found on the leap day 2028-02-29: last day 2031-02-28, still published
    ("severe", "2028-02-29", None, "2031-02-28", True, False),
    # and stopped on 2031-03-01
    ("severe", "2028-02-29", None, "2031-03-01", True, True),
    # good information valid through 2026-06-30 is valid on that day
    (None, "2026-01-05", "2026-06-30", "2026-06-30", None, False),
    # and no longer on 07-01
    (None, "2026-01-05", "2026-06-30", "2026-07-01", None, True),
]


@pytest.mark.parametrize(
    ("severity", "found", "validity", "on", "repairable", "expired"), ON_A_DATE
)
def test_status_on_a_date(severity, found, validity, on, repairable, expired) -> None:
    nature = "good" if severity is None else "bad"
    periods = load_policy("kunming").periods_for(
        nature, severity, D(found), D(validity) if validity else None, on=D(on)
    )
    assert (periods.repairable, periods.expired) == (repairable, expired)


def test_the_table_has_at_least_fifty_dated_cases() -> None:
    assert len(DEADLINES) + len(EXTENSIONS) + len(PERIODS) + len(ON_A_DATE) >= 50
