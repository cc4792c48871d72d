"""Holiday table for years chinese-calendar does not cover (loaded from official notices)."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class HolidayDay(Model):
    """A day that differs from the Mon–Fri rule: a holiday on a weekday or a 调休 working weekend."""

    day = fields.DateField(primary_key=True)
    workday = fields.BooleanField(description="True for a make-up working day (调休)")
    name = fields.CharField(max_length=60, default="")
    source = fields.CharField(max_length=200, default="")

    class Meta:
        table = "holiday_day"


class HolidayYear(Model):
    """Where one year of the holiday table comes from, and whether it is only provisional."""

    year = fields.IntField(primary_key=True)
    source = fields.CharField(max_length=200, default="")
    provisional = fields.BooleanField(
        default=True, description="deadlines in this year stay estimated until an official load"
    )
    loaded_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "holiday_year"
