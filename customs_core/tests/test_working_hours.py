"""Working time on the branch's calendar: the legal clocks (2 working hours for a document
check, 8 for an inspection) skip nights, lunch, weekends, Tết and the branch's own days off."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from customs_core.working_hours import DEFAULT_PERIODS, WorkingCalendar, branch_calendar

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OFFICE = {d: ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0))) for d in range(5)}
TET_2026 = frozenset(date(2026, 2, 16) + timedelta(days=n) for n in range(5))  # 16-20 Feb


def at(*args):
    return datetime(*args, tzinfo=TZ)


def test_two_working_hours_from_friday_afternoon_end_on_monday_morning():
    calendar = WorkingCalendar(periods=OFFICE, tz=TZ)
    assert calendar.add(at(2026, 11, 27, 16, 0), 2 * 3600) == at(2026, 11, 30, 8, 30)


def test_lunch_is_not_working_time():
    calendar = WorkingCalendar(periods=OFFICE, tz=TZ)
    assert calendar.add(at(2026, 11, 24, 11, 0), 3600) == at(2026, 11, 24, 13, 30)
    assert calendar.working_seconds(at(2026, 11, 24, 11, 0), at(2026, 11, 24, 13, 30)) == 3600


def test_tet_is_skipped():
    calendar = WorkingCalendar(periods=OFFICE, days_off=TET_2026, tz=TZ)
    # Friday 13 Feb 2026, 16:00 + 8 working hours: 1 h that day, nothing during Tết week,
    # then 7 h from Monday 23 Feb.
    assert calendar.add(at(2026, 2, 13, 16, 0), 8 * 3600) == at(2026, 2, 23, 16, 0)


def test_a_working_day_override_and_an_extra_day_off():
    saturday = date(2026, 5, 9)
    calendar = WorkingCalendar(periods=OFFICE, days_off=frozenset({date(2026, 5, 11)}),
                               working_days={saturday: 0}, tz=TZ)
    assert calendar.add(at(2026, 5, 8, 17, 0), 3600) == at(2026, 5, 9, 8, 30)
    assert calendar.spans_on(date(2026, 5, 11)) == []
    assert calendar.is_working_time(at(2026, 5, 9, 10, 0))


def test_no_working_time_at_all_is_refused():
    with pytest.raises(ValueError):
        WorkingCalendar(periods={}, tz=TZ).add(at(2026, 1, 5, 8, 0), 60)


@settings(max_examples=300, deadline=None)
@given(start=st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 12, 31)),
       seconds=st.integers(min_value=0, max_value=60 * 3600))
def test_the_due_time_is_exactly_that_much_working_time_later(start, seconds):
    calendar = WorkingCalendar(periods=DEFAULT_PERIODS, days_off=TET_2026, tz=TZ)
    start = start.replace(tzinfo=TZ)
    due = calendar.add(start, seconds)
    assert due >= start
    assert abs(calendar.working_seconds(start, due) - seconds) < 1e-6
    if seconds:
        assert calendar.is_working_time(due - timedelta(microseconds=1))


@pytest.mark.django_db
def test_the_branch_calendar_has_vietnams_holidays_and_its_own_days(reference_data):
    from customs_core.models import CalendarDay

    assert branch_calendar().spans_on(date(2027, 2, 8)) == []  # a Monday of Tết 2027
    assert branch_calendar().spans_on(date(2027, 2, 15))  # the Monday after
    assert branch_calendar().spans_on(date(2026, 9, 2)) == []  # National Day
    CalendarDay.objects.create(date=date(2026, 12, 21), kind="holiday", name="Nghỉ bù")
    CalendarDay.objects.create(date=date(2026, 12, 27), kind="working_day", name="Làm bù")
    assert branch_calendar().spans_on(date(2026, 12, 21)) == []
    assert branch_calendar().spans_on(date(2026, 12, 27))  # a Sunday, worked
