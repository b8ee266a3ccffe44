"""Shifts from a schedule in local time: midnight, off-shift gaps and daylight-saving days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.storage.shifts import DAY, OFF_SHIFT, ShiftSchedule

BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str, zone=BERLIN) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def test_without_a_schedule_each_local_day_is_one_shift_of_24_hours():
    shift = ShiftSchedule((), BERLIN).shift_at(at("2026-03-10T23:30"))
    assert shift.name == DAY and shift.date == date(2026, 3, 10)
    assert shift.start == at("2026-03-10T00:00") and shift.end == at("2026-03-11T00:00")
    assert shift.start.tzinfo is UTC  # spans are kept in UTC, so they subtract correctly
    # 23:30 in Berlin is 22:30 UTC: the local day decides, not the UTC one
    assert ShiftSchedule((), BERLIN).shift_at(at("2026-03-10T22:30", UTC)).date == date(2026, 3, 10)


def test_a_night_shift_past_midnight_belongs_to_the_day_it_started():
    schedule = ShiftSchedule(("early 06:00-14:00", "late 14:00-22:00", "night 22:00-06:00"), BERLIN)
    night = schedule.shift_at(at("2026-03-11T03:15"))
    assert night.name == "night" and night.date == date(2026, 3, 10)
    assert night.end - night.start == timedelta(hours=8)
    assert schedule.shift_at(at("2026-03-11T06:00")).name == "early"  # the end is exclusive
    assert schedule.shift_at(at("2026-03-11T13:59:59")).name == "early"
    assert schedule.shift_at(at("2026-03-11T14:00")).name == "late"


def test_time_between_shifts_is_an_off_shift_spanning_the_gap():
    schedule = ShiftSchedule(("morning 08:00-12:00", "afternoon 13:00-17:30"), BERLIN)
    lunch = schedule.shift_at(at("2026-03-10T12:30"))
    assert lunch.name == OFF_SHIFT
    assert (lunch.start, lunch.end) == (at("2026-03-10T12:00"), at("2026-03-10T13:00"))
    overnight = schedule.shift_at(at("2026-03-11T02:00"))
    assert overnight.name == OFF_SHIFT
    assert (overnight.start, overnight.end) == (at("2026-03-10T17:30"), at("2026-03-11T08:00"))
    assert overnight.date == date(2026, 3, 10)


def test_a_day_with_a_clock_change_is_still_one_local_day():
    # Europe/Berlin moves to summer time on 2026-03-29: that day has 23 hours
    shift = ShiftSchedule((), BERLIN).shift_at(at("2026-03-29T12:00"))
    assert shift.end - shift.start == timedelta(hours=23)
