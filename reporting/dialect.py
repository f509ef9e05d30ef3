"""The few SQL expressions that PostgreSQL and SQLite write differently: the local day of a
timestamp, whole seconds between two timestamps, a histogram bucket, a sortable timestamp, the
first day of a month; and the session settings of the bulk statements. The rollups are plain
INSERT ... SELECT ... GROUP BY statements otherwise, the same on both."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from .histogram import EPSILON, LAST, PER_DOUBLING


def _zone() -> str:
    ZoneInfo(settings.TIME_ZONE)  # a real zone name: it is written into the SQL below
    return settings.TIME_ZONE.replace("'", "")


def postgres() -> bool:
    return connection.vendor == "postgresql"


def local_day(column: str) -> str:
    """The calendar day of a timestamp in the branch's time zone."""
    if postgres():
        return f"(({column}) AT TIME ZONE '{_zone()}')::date"
    return f"django_datetime_cast_date({column}, '{_zone()}', 'UTC')"


def month_start(column: str) -> str:
    """The first day of a date's month."""
    if postgres():
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def bulk_session(cursor) -> None:
    """Settings for the rest of the transaction of a statement that groups millions of rows:
    memory to hash them (settings.REPORTING_WORK_MEM) rather than spill to disk, and no JIT
    (PostgreSQL compiles a statement estimated far above its real size: seconds per statement
    on the rollups' INSERT ... SELECTs). Nothing on SQLite."""
    if postgres():
        cursor.execute("SELECT set_config('work_mem', %s, true), set_config('jit', 'off', true)",
                       [settings.REPORTING_WORK_MEM])


def _micros(column: str) -> str:
    # (%% doubled: every statement here is executed with parameters.)
    # Django stores SQLite timestamps as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]'.
    return (f"(CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER) * 1000000"
            f" + CAST(substr({column} || '.000000', 21, 6) AS INTEGER))")


def seconds_between(start: str, end: str) -> str:
    """Whole seconds from start to end, never negative (a later milestone logged before an
    earlier one counts as zero)."""
    if postgres():
        return f"GREATEST(0, FLOOR(date_part('epoch', ({end}) - ({start}))))::bigint"
    return f"(MAX(0, {_micros(end)} - {_micros(start)}) / 1000000)"


def bucket(seconds: str) -> str:
    """reporting.histogram.bucket_of in SQL."""
    if postgres():
        log = f"LN(CAST({seconds} AS double precision)) / LN(2.0)"
        return (f"CASE WHEN {seconds} < 1 THEN 0 ELSE LEAST({LAST}, 1 + FLOOR("
                f"{PER_DOUBLING} * {log} + {EPSILON})::int) END")
    log = f"LN({seconds}) / LN(2.0)"
    return (f"CASE WHEN {seconds} < 1 THEN 0 ELSE MIN({LAST}, 1 + CAST("
            f"{PER_DOUBLING} * {log} + {EPSILON} AS INTEGER)) END")


def sortable(column: str) -> str:
    """A timestamp as 20 characters that sort like it (the prefix of 'latest X' tricks)."""
    if postgres():
        return f"to_char(({column}) AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS')"
    return (f"(strftime('%%Y%%m%%d%%H%%M%%S', substr({column}, 1, 19))"
            f" || substr({column} || '.000000', 21, 6))")
