"""Working time on the branch's calendar: pure arithmetic over a `WorkingCalendar`, and the
calendar of this branch read once per process (`branch_calendar()`).

The law counts a document check in working hours (2) and a physical inspection too (8);
the partnership desk counts its answer times the same way. A working hour is an hour inside
one of the day's working periods, on a day that is not a public holiday (Vietnam's, from the
`holidays` library: Tết, Hùng Kings, 30/4, 1/5, 2/9 and their observed days) unless the branch
marked it as a working day, and not an extra day off the branch entered (the Government sets
each year's Tết break). Times are local (TIME_ZONE, Asia/Ho_Chi_Minh).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .process_cache import ProcessCache

Span = tuple[time, time]
# What the branch works when nobody entered its hours (government offices: Monday to Friday,
# morning and afternoon; border-gate customs also Saturday morning).
DEFAULT_PERIODS: dict[int, tuple[Span, ...]] = {
    **{day: ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0))) for day in range(5)},
    5: ((time(7, 30), time(11, 30)),),
}
MAX_DAYS = 3660  # a clock never runs further than ten years (a calendar with no working time)


@dataclass(frozen=True)
class WorkingCalendar:
    """Weekly working periods, days off and extra working days; pure (no database)."""

    periods: dict[int, tuple[Span, ...]]  # weekday (0 = Monday) -> spans, in order
    days_off: frozenset[date] = frozenset()
    working_days: dict[date, int] = field(default_factory=dict)  # date -> weekday of its hours
    tz: object = None

    def _tz(self):
        return self.tz or timezone.get_current_timezone()

    def spans_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The working spans of a date, as aware datetimes."""
        if day in self.working_days:
            weekday = self.working_days[day]
        elif day in self.days_off:
            return []
        else:
            weekday = day.weekday()
        tz = self._tz()
        return [(datetime.combine(day, start, tz), datetime.combine(day, end, tz))
                for start, end in self.periods.get(weekday, ())]

    def is_working_time(self, moment: datetime) -> bool:
        local = timezone.localtime(moment, self._tz())
        return any(start <= local < end for start, end in self.spans_on(local.date()))

    def working_seconds(self, start: datetime, end: datetime) -> float:
        """Working time between two moments, in seconds (0 if end <= start)."""
        if end <= start:
            return 0.0
        tz = self._tz()
        first, last = timezone.localtime(start, tz).date(), timezone.localtime(end, tz).date()
        total = 0.0
        day = first
        while day <= last:
            for span_start, span_end in self.spans_on(day):
                overlap = (min(span_end, end) - max(span_start, start)).total_seconds()
                if overlap > 0:
                    total += overlap
            day += timedelta(days=1)
        return total

    def add(self, start: datetime, seconds: float) -> datetime:
        """The moment `seconds` of working time after `start` (a due time). Raises ValueError
        if the calendar has no working time within MAX_DAYS."""
        remaining = max(float(seconds), 0.0)
        tz = self._tz()
        day = timezone.localtime(start, tz).date()
        for _ in range(MAX_DAYS):
            for span_start, span_end in self.spans_on(day):
                begin = max(span_start, start)
                if begin >= span_end:
                    continue
                available = (span_end - begin).total_seconds()
                if remaining <= available:
                    return begin + timedelta(seconds=remaining)
                remaining -= available
            day += timedelta(days=1)
        raise ValueError("the working calendar has no working time left")


def _official_holidays(years) -> dict[date, str]:
    """Vietnam's public holidays (and observed days) of the given years, Vietnamese names."""
    return dict(_official_holidays_of(tuple(years)))


@lru_cache(maxsize=8)
def _official_holidays_of(years: tuple[int, ...]) -> tuple[tuple[date, str], ...]:
    # The library computes the lunar holidays (Tết, Hùng Kings) each time: ~130 ms for six
    # years. They never change within a process, so only the branch's own days are re-read
    # when the calendar is reloaded (every 5 minutes, and on every save).
    import holidays

    return tuple(holidays.country_holidays("VN", years=list(years), language="vi").items())


def _load() -> WorkingCalendar:
    from .choices import CalendarDayKind
    from .models import CalendarDay, WorkingPeriod

    periods: dict[int, list[Span]] = {}
    for weekday, start, end in WorkingPeriod.objects.values_list("weekday", "start", "end"):
        periods.setdefault(weekday, []).append((start, end))
    year = timezone.localdate().year
    days_off = set(_official_holidays(range(year - 3, year + 3)))
    working = {}
    for day, kind, hours_of in CalendarDay.objects.values_list("date", "kind", "hours_of"):
        if kind == CalendarDayKind.HOLIDAY:
            days_off.add(day)
        else:
            working[day] = hours_of
    return WorkingCalendar(
        periods={d: tuple(sorted(spans)) for d, spans in periods.items()} or DEFAULT_PERIODS,
        days_off=frozenset(days_off), working_days=working)


_cache = ProcessCache(_load, max_age=300.0)
branch_calendar = _cache.get
clear = _cache.clear


def connect_signals() -> None:
    from .models import CalendarDay, WorkingPeriod

    for model in (WorkingPeriod, CalendarDay):
        post_save.connect(clear, sender=model, dispatch_uid=f"calendar-{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"calendar-del-{model.__name__}")


def holidays_between(first: date, last: date) -> list[tuple[date, str]]:
    """The days off between two dates with their names (official and the branch's own)."""
    from .models import CalendarDay

    official = _official_holidays(range(first.year, last.year + 1))
    own = dict(CalendarDay.objects.filter(date__range=(first, last), kind="holiday")
               .values_list("date", "name"))
    working = set(CalendarDay.objects.filter(date__range=(first, last), kind="working_day")
                  .values_list("date", flat=True))
    merged = {**official, **own}
    return sorted((day, name) for day, name in merged.items()
                  if first <= day <= last and day not in working)


__all__ = ["DEFAULT_PERIODS", "WorkingCalendar", "branch_calendar", "holidays_between"]
