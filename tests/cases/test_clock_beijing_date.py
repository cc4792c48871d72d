"""'Today' is Beijing's date even when the process runs in UTC (DESIGN §4)."""

from __future__ import annotations

import os
import time
from datetime import UTC, date, datetime

import pytest

from selfservice.calendar import WorkCalendar
from selfservice.clock import Clock, fixed

# 2026-12-01 17:00 UTC is 2026-12-02 01:00 in Beijing
AT = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


@pytest.fixture
def utc_process():
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


def test_one_in_the_morning_in_beijing_is_already_the_next_day(utc_process):
    assert time.localtime(AT.timestamp()).tm_mday == 1  # the process itself says 1 December
    clock = fixed(AT)
    assert clock.today() == date(2026, 12, 2)
    assert clock.now().hour == 1
    # the working-day arithmetic counts from Beijing's day: Wednesday + 1 working day
    assert WorkCalendar().add_working_days(clock.today(), 1) == date(2026, 12, 3)


def test_the_default_clock_reads_beijing_time(utc_process):
    now = Clock().now()
    assert now.utcoffset().total_seconds() == 8 * 3600
    assert abs((now - datetime.now(UTC)).total_seconds()) < 5
