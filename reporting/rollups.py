"""Computing the rollups from the event log (DESIGN.md §8), set-based, in the database.

Two steps, both INSERT ... SELECT:
1. `times_refresh(subset)`: each declaration's milestones from its events and payments
   (DeclarationTimes), for a subset of declarations given as SQL.
2. `days_recompute(first, last)`: the rollup rows of a range of days, from DeclarationTimes (the
   milestones anchored on those days) and the dated rows beside the log: payments, check starts,
   check outcomes, violations. A day's rows are deleted and written again: running it twice
   gives the same rows.
3. `months_recompute(first, last)`: the month-grain copies of the months of those days, summed
   from the day rows (long periods read months, not days), and the month-grain segments and
   values summed per flow (what a period without a gate or regime filter reads).

Every figure is anchored on the day of one raw row of its declaration (an event, a payment, an
outcome, a violation), so when a declaration changes, recomputing the days of all its raw rows
recomputes everything it ever contributed to (`stale_refresh`)."""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .dialect import (
    bucket,
    bulk_session,
    local_day,
    month_start,
    postgres,
    seconds_between,
    sortable,
)
from .models import RollupState

EVENTS = "declarations_declarationevent"
PAYMENTS = "declarations_dutypayment"
OUTCOMES = "declarations_checkoutcome"
VIOLATIONS = "declarations_violation"
DECLARATIONS = "declarations_declaration"
TIMES = "reporting_declarationtimes"
ROLLUP = "reporting_rollup"
SEGMENTS = "reporting_segmentrollup"
STALE = "reporting_staledeclaration"
VALUES = "reporting_valuerollup"
MONTH_ROLLUP = "reporting_monthrollup"
MONTH_SEGMENTS = "reporting_monthsegmentrollup"
MONTH_VALUES = "reporting_monthvaluerollup"
FLOW_SEGMENTS = "reporting_monthflowsegmentrollup"
FLOW_VALUES = "reporting_monthflowvaluerollup"

CHANNELS = "('green', 'yellow', 'red')"
CHECKS = "('doc_check', 'inspection')"
KEYS = "office_id, border_gate_id, flow, regime_id, channel"
TAXES = ("import_duty_vnd", "export_duty_vnd", "additional_duty_vnd", "sct_vnd", "ept_vnd",
         "vat_vnd", "total_duty_vnd")
MILESTONES = ("registered", "channel", "check_started", "decided", "paid", "cleared", "gate_out")
BATCH = 2000


# --- 1. milestones per declaration ---------------------------------------------------------
def times_refresh(subset_sql: str | None, params: Iterable = ()) -> None:
    """Rewrite DeclarationTimes for the declarations whose ids `subset_sql` selects (all of
    them for None). The DELETE and the INSERT each run `subset_sql`: it must select a fixed
    set (ids given as parameters, or `subset_fixed`), not a query whose answer a commit in
    between can grow."""
    params = list(params)
    with connection.cursor() as cursor:
        if subset_sql is None:
            cursor.execute(f"DELETE FROM {TIMES}")
        else:
            cursor.execute(f"DELETE FROM {TIMES} WHERE declaration_id IN ({subset_sql})", params)
        cursor.execute(_times_insert(subset_sql), params * (3 if subset_sql else 0))


SUBSET = "reporting_times_subset"  # a temporary table: the declarations one rebuild rewrites


def subset_fixed(cursor, subset_sql: str, params: Iterable) -> str:
    """Read the ids `subset_sql` selects once, into a temporary table of this connection, and
    return the SQL selecting them. Run twice, a query such as "every declaration with a raw
    row in the range" can answer more the second time: a late event committed between the
    DELETE and the INSERT of `times_refresh` adds a declaration whose milestones the DELETE
    did not remove, and the INSERT writes them again (duplicate key)."""
    cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS {SUBSET} "
                   f"(declaration_id bigint PRIMARY KEY)")
    cursor.execute(f"TRUNCATE {SUBSET}" if postgres() else f"DELETE FROM {SUBSET}")
    cursor.execute(f"INSERT INTO {SUBSET} (declaration_id) "
                   f"SELECT DISTINCT declaration_id FROM ({subset_sql}) s", list(params))
    if postgres():
        cursor.execute(f"ANALYZE {SUBSET}")  # temporary tables get no autovacuum statistics
    return f"SELECT declaration_id FROM {SUBSET}"


def _times_insert(subset_sql: str | None) -> str:
    events_where = f"WHERE declaration_id IN ({subset_sql})" if subset_sql else ""
    payments_where = events_where
    # The declarations read by primary key for a subset: the planner's estimate of the grouped
    # events is far off, and it scanned all of them to join a few thousand.
    declarations_where = f"AND d.id IN ({subset_sql})" if subset_sql else ""
    days = ", ".join(f"{local_day(f'{m}_at')} AS {m}_on" for m in MILESTONES)
    stamps = ", ".join(f"{m}_at" for m in MILESTONES)
    usd_rate = (f"(SELECT r.rate_vnd FROM customs_core_exchangerate r WHERE r.currency_id = 'USD'"
                f" AND r.week_start <= {local_day('registered_at')}"
                f" ORDER BY r.week_start DESC LIMIT 1)")
    # A USD declaration converts at 1/1; others at their rate over the USD rate in force on
    # the day of registration (the customs rate of that week).
    return f"""
    INSERT INTO {TIMES} (declaration_id, {KEYS}, enterprise_id, {stamps},
                         {", ".join(f"{m}_on" for m in MILESTONES)}, exchange_rate, usd_rate,
                         invoice_usd, {", ".join(TAXES)})
    SELECT declaration_id, {KEYS}, enterprise_id, {stamps}, {days}, xr, ur,
           COALESCE(ROUND(total_invoice_value * xr * 1.0 / ur, 2), 0), {", ".join(TAXES)}
    FROM (SELECT m.*, CASE WHEN currency_id = 'USD' THEN 1 ELSE exchange_rate END AS xr,
                 CASE WHEN currency_id = 'USD' THEN 1 ELSE {usd_rate} END AS ur
          FROM (
        SELECT ev.declaration_id, d.office_id, d.border_gate_id, d.flow, d.regime_id,
               COALESCE(substr(ev.last_channel, 21), '') AS channel, d.enterprise_id,
               ev.registered_at, ev.channel_at, ev.check_started_at,
               COALESCE(ev.check_decided_at,
                        CASE WHEN ev.check_started_at IS NULL
                              AND substr(ev.last_channel, 21) = 'green'
                             THEN ev.green_at END) AS decided_at,
               p.paid_at, ev.cleared_at, ev.gate_out_at,
               d.currency_id, d.total_invoice_value, d.exchange_rate,
               {", ".join(f"d.{tax}" for tax in TAXES)}
        FROM (
            SELECT declaration_id,
                   MIN(at) FILTER (WHERE from_state = 'draft' AND to_state = 'submitted')
                       AS registered_at,
                   MIN(at) FILTER (WHERE from_state = 'scored' AND to_state IN {CHANNELS})
                       AS channel_at,
                   MAX(at) FILTER (WHERE to_state = 'green') AS green_at,
                   MIN(at) FILTER (WHERE to_state IN {CHECKS}) AS check_started_at,
                   MAX(at) FILTER (WHERE from_state IN {CHECKS} AND to_state NOT IN {CHECKS})
                       AS check_decided_at,
                   MIN(at) FILTER (WHERE to_state = 'cleared') AS cleared_at,
                   MIN(at) FILTER (WHERE to_state = 'gate_out') AS gate_out_at,
                   MAX({sortable('at')} || to_state) FILTER (WHERE to_state IN {CHANNELS})
                       AS last_channel
            FROM {EVENTS}
            {events_where}
            GROUP BY declaration_id
        ) ev
        JOIN {DECLARATIONS} d ON d.id = ev.declaration_id {declarations_where}
        LEFT JOIN (SELECT declaration_id, MAX(paid_at) AS paid_at FROM {PAYMENTS}
                   {payments_where} GROUP BY declaration_id) p
               ON p.declaration_id = ev.declaration_id
        WHERE ev.registered_at IS NOT NULL
    ) m) r
    """


# --- 2. the rollup rows of a range of days ---------------------------------------------------
def day_bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """[start of `first`, start of the day after `last`) in the branch's time zone."""
    zone = ZoneInfo(settings.TIME_ZONE)
    return (datetime.combine(first, time.min, tzinfo=zone),
            datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone))


def _sql_bounds(first: date, last: date) -> tuple:
    """day_bounds as raw SQL parameters (SQLite compares UTC text, not aware datetimes)."""
    adapt = connection.ops.adapt_datetimefield_value
    return tuple(adapt(moment) for moment in day_bounds(first, last))


def days_recompute(first: date, last: date) -> None:
    """Delete and rewrite the Rollup and SegmentRollup rows of the days first..last."""
    start, end = _sql_bounds(first, last)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {ROLLUP} WHERE day BETWEEN %s AND %s", [first, last])
        cursor.execute(f"DELETE FROM {SEGMENTS} WHERE day BETWEEN %s AND %s", [first, last])
        cursor.execute(ROLLUP_INSERT(), [first, last, first, last, start, end, start, end,
                                         start, end, start, end])
        cursor.execute(SEGMENTS_INSERT(), segments_params(first, last))
        cursor.execute(f"DELETE FROM {VALUES} WHERE day BETWEEN %s AND %s", [first, last])
        cursor.execute(VALUES_INSERT(), [first, last] * 2)


ROLLUP_FIELDS = ("registered", "cleared", "invoice_usd", *TAXES, "collected_vnd",
                 "document_checks", "inspections", "checks_concluded", "checks_with_violation",
                 "violations", "penalties_vnd")


def _fact(day: str, source: str, where: str, **values) -> str:
    """One SELECT of the union: a row per fact with the key and every field (0 unless given)."""
    columns = ", ".join(f"{values.get(name, '0')} AS {name}" for name in ROLLUP_FIELDS)
    keys = ", ".join(f"t.{key.strip()}" for key in KEYS.split(","))
    return f"SELECT {day} AS day, {keys}, {columns} FROM {source} WHERE {where}"


def ROLLUP_INSERT() -> str:  # noqa: N802 - a statement, built per database vendor
    joined = f"JOIN {TIMES} t ON t.declaration_id = x.declaration_id"
    facts = [
        _fact("t.registered_on", f"{TIMES} t", "t.registered_on BETWEEN %s AND %s",
              registered="1", invoice_usd="t.invoice_usd", **{tax: f"t.{tax}" for tax in TAXES}),
        _fact("t.cleared_on", f"{TIMES} t", "t.cleared_on BETWEEN %s AND %s", cleared="1"),
        _fact(local_day("x.paid_at"), f"{PAYMENTS} x {joined}",
              "x.paid_at >= %s AND x.paid_at < %s", collected_vnd="x.amount_vnd"),
        _fact(local_day("x.at"), f"{EVENTS} x {joined}",
              f"x.at >= %s AND x.at < %s AND x.to_state IN {CHECKS}",
              document_checks="CASE WHEN x.to_state = 'doc_check' THEN 1 ELSE 0 END",
              inspections="CASE WHEN x.to_state = 'inspection' THEN 1 ELSE 0 END"),
        _fact(local_day("x.decided_at"), f"{OUTCOMES} x {joined}",
              "x.decided_at >= %s AND x.decided_at < %s", checks_concluded="1",
              checks_with_violation="CASE WHEN x.outcome = 'violation' THEN 1 ELSE 0 END"),
        _fact(local_day("x.found_at"), f"{VIOLATIONS} x {joined}",
              "x.found_at >= %s AND x.found_at < %s", violations="1",
              penalties_vnd="x.penalty_vnd"),
    ]
    sums = ", ".join(f"SUM({name})" for name in ROLLUP_FIELDS)
    union = "\n UNION ALL ".join(facts)
    return (f"INSERT INTO {ROLLUP} (day, {KEYS}, {', '.join(ROLLUP_FIELDS)}) "
            f"SELECT day, {KEYS}, {sums} FROM ({union}) f GROUP BY day, {KEYS}")


# segment -> (start milestone, end milestone); a segment is anchored on its end's day
SEGMENT_SPANS = {
    "registration_channel": ("registered", "channel"),
    "channel_check": ("channel", "check_started"),
    "check_decision": ("check_started", "decided"),
    "decision_paid": ("decided", "paid"),
    "paid_cleared": ("paid", "cleared"),
    "cleared_gate_out": ("cleared", "gate_out"),
    "end_to_end": ("registered", "cleared"),
}


def SEGMENTS_INSERT() -> str:  # noqa: N802
    """One scan of the milestones, each row crossed with the seven segments (an index scan per
    milestone day for a few days, one sequential scan for a long range)."""
    names = ", ".join(f"('{name}')" for name in SEGMENT_SPANS)

    def pick(column: str) -> str:
        cases = " ".join(f"WHEN '{name}' THEN t.{column(start, end)}"
                         for name, (start, end) in SEGMENT_SPANS.items())
        return f"CASE seg.column1 {cases} END"

    ends = sorted({end for _start, end in SEGMENT_SPANS.values()})
    touched = " OR ".join(f"t.{end}_on BETWEEN %s AND %s" for end in ends)
    spans = (f"SELECT {', '.join(f't.{key.strip()}' for key in KEYS.split(','))}, "
             f"seg.column1 AS segment, {pick(lambda start, end: f'{end}_on')} AS day, "
             f"{pick(lambda start, end: f'{start}_at')} AS start_at, "
             f"{pick(lambda start, end: f'{end}_at')} AS end_at "
             f"FROM {TIMES} t CROSS JOIN (VALUES {names}) seg WHERE {touched}")
    return (f"INSERT INTO {SEGMENTS} (day, {KEYS}, segment, bucket, count, seconds) "
            f"SELECT day, {KEYS}, segment, b, COUNT(*), SUM(s) FROM ("
            f"SELECT day, {KEYS}, segment, s, {bucket('s')} AS b FROM ("
            f"SELECT day, {KEYS}, segment, {seconds_between('start_at', 'end_at')} AS s "
            f"FROM ({spans}) spans WHERE day BETWEEN %s AND %s AND start_at IS NOT NULL) x) g "
            f"GROUP BY day, {KEYS}, segment, b")


SEGMENT_ENDS = len({end for _start, end in SEGMENT_SPANS.values()})


def segments_params(first: date, last: date) -> list:
    return [first, last] * (SEGMENT_ENDS + 1)


def VALUES_INSERT() -> str:  # noqa: N802
    keys = "t.registered_on, t.office_id, t.border_gate_id, t.flow, t.regime_id"
    return (
        f"INSERT INTO {VALUES} (day, office_id, border_gate_id, flow, regime_id, kind, ref, "
        f"declarations, invoice_usd) "
        f"SELECT {keys}, 'enterprise', CAST(t.enterprise_id AS VARCHAR(20)), COUNT(*), "
        f"SUM(t.invoice_usd) FROM {TIMES} t WHERE t.registered_on BETWEEN %s AND %s "
        f"GROUP BY {keys}, t.enterprise_id "
        f"UNION ALL "
        f"SELECT {keys}, 'chapter', substr(h.hs_code, 1, 2), COUNT(DISTINCT t.declaration_id), "
        f"SUM(COALESCE(ROUND(g.line_value * t.exchange_rate * 1.0 / t.usd_rate, 2), 0)) "
        f"FROM {TIMES} t JOIN declarations_goodsline g ON g.declaration_id = t.declaration_id "
        f"JOIN customs_core_tariffline h ON h.id = g.tariff_line_id "
        f"WHERE t.registered_on BETWEEN %s AND %s GROUP BY {keys}, substr(h.hs_code, 1, 2)")


# --- 3. the month-grain copies ------------------------------------------------------------------
# day table -> (month table, the key columns, the summed columns)
MONTH_COPIES = {
    ROLLUP: (MONTH_ROLLUP, KEYS, ROLLUP_FIELDS),
    SEGMENTS: (MONTH_SEGMENTS, f"{KEYS}, segment, bucket", ("count", "seconds")),
    VALUES: (MONTH_VALUES, "office_id, border_gate_id, flow, regime_id, kind, ref",
             ("declarations", "invoice_usd")),
}


# month table -> (its per-flow sum, the key columns, the summed columns)
FLOW_COPIES = {
    MONTH_SEGMENTS: (FLOW_SEGMENTS, "flow, channel, segment, bucket", ("count", "seconds")),
    MONTH_VALUES: (FLOW_VALUES, "flow, kind, ref", ("declarations", "invoice_usd")),
}


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_after(day: date) -> date:
    """The first day of the next month."""
    return (month_of(day) + timedelta(days=32)).replace(day=1)


def _sums_rewrite(cursor, source: str, target: str, keys: str, sums: tuple, *, day: str,
                  first_month: date, last_month: date, source_last: date) -> None:
    """Delete `target`'s months first_month..last_month and write them again as `source`'s
    rows of first_month..source_last summed per `day` (an expression) and `keys`."""
    cursor.execute(f"DELETE FROM {target} WHERE day BETWEEN %s AND %s", [first_month, last_month])
    cursor.execute(
        f"INSERT INTO {target} (day, {keys}, {', '.join(sums)}) "
        f"SELECT {day}, {keys}, {', '.join(f'SUM({name})' for name in sums)} FROM {source} "
        f"WHERE day BETWEEN %s AND %s GROUP BY {day}, {keys}", [first_month, source_last])


def months_recompute(first: date, last: date) -> None:
    """Delete and rewrite the month-grain rows of the months of first..last from the day rows
    of those whole months, then their sums per flow."""
    first_month, last_month = month_of(first), month_of(last)
    month_end = month_after(last) - timedelta(days=1)
    with connection.cursor() as cursor:
        for day_table, (month_table, keys, sums) in MONTH_COPIES.items():
            _sums_rewrite(cursor, day_table, month_table, keys, sums, day=month_start("day"),
                          first_month=first_month, last_month=last_month, source_last=month_end)
        for month_table, (flow_table, keys, sums) in FLOW_COPIES.items():
            _sums_rewrite(cursor, month_table, flow_table, keys, sums, day="day",
                          first_month=first_month, last_month=last_month,
                          source_last=last_month)


# --- the whole pipeline --------------------------------------------------------------------
def raw_rows_in(start: datetime, end: datetime) -> tuple[str, list]:
    """SQL selecting the declarations with any raw row in [start, end), and its parameters."""
    return (f"SELECT declaration_id FROM {EVENTS} WHERE at >= %s AND at < %s"
            f" UNION SELECT declaration_id FROM {PAYMENTS} WHERE paid_at >= %s AND paid_at < %s"
            f" UNION SELECT declaration_id FROM {OUTCOMES}"
            f" WHERE decided_at >= %s AND decided_at < %s"
            f" UNION SELECT declaration_id FROM {VIOLATIONS}"
            f" WHERE found_at >= %s AND found_at < %s", [start, end] * 4)


def chunks(first: date, last: date, days: int) -> list[tuple[date, date]]:
    out, day = [], first
    while day <= last:
        end = min(last, day + timedelta(days=days - 1))
        out.append((day, end))
        day = end + timedelta(days=1)
    return out


def _locked_state() -> RollupState:
    """The one RollupState row, locked: rebuilds and refreshes take turns."""
    RollupState.objects.get_or_create(pk=1)
    return RollupState.objects.select_for_update().get(pk=1)


def _covers_history(first: date, last: date) -> bool:
    span = history_span()
    return span is None or (first <= span[0] and last >= span[1])


DERIVED_TABLES = (TIMES, ROLLUP, SEGMENTS, VALUES, MONTH_ROLLUP, MONTH_SEGMENTS, MONTH_VALUES,
                  FLOW_SEGMENTS, FLOW_VALUES)


@contextmanager
def _emptied_without_indexes(cursor) -> Iterator[None]:
    """The derived tables emptied, their unique constraints and secondary indexes dropped for
    the block and created again after it (PostgreSQL; nothing on SQLite). Building an index
    once over the rows costs a third of maintaining it row by row. In the caller's
    transaction: readers of the rollups wait for its commit, and a failure restores all."""
    if not postgres():
        yield
        return
    restore = []
    for table in DERIVED_TABLES:
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype = 'u'", [table])
        for name, definition in cursor.fetchall():
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute("SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) "
                       "FROM pg_index WHERE indrelid = %s::regclass AND NOT indisprimary",
                       [table])
        for name, definition in cursor.fetchall():
            cursor.execute(f"DROP INDEX {name}")
            restore.append(definition)
    cursor.execute(f"TRUNCATE {', '.join(DERIVED_TABLES)}")
    yield
    for statement in restore:
        cursor.execute(statement)
    for table in DERIVED_TABLES:
        cursor.execute(f"ANALYZE {table}")


def rollups_rebuild(first: date, last: date, *, chunk_days: int | None = None,
                    progress: Callable = lambda items, **kw: items) -> int:
    """Recompute every rollup row of first..last: the milestones of every declaration with a
    raw row in the range (of all of them when the range covers the whole history), then the
    range's days, then its months; in one transaction, or one per `chunk_days` days (shorter
    transactions on a busy primary, each chunk's milestones read again). Over the whole
    history (PostgreSQL) the tables are emptied and their indexes built again after the
    inserts: readers wait for the rebuild's commit. The progress bar moves per step. Returns
    the number of transactions."""
    spans = chunks(first, last, chunk_days) if chunk_days else [(first, last)]
    whole = not chunk_days and _covers_history(first, last)

    def steps():
        for chunk_first, chunk_last in spans:
            with transaction.atomic(), connection.cursor() as cursor:
                state = _locked_state()
                bulk_session(cursor)
                with _emptied_without_indexes(cursor) if whole else nullcontext():
                    if whole:  # everything as of the lock: rows written since the caller
                        span = history_span()  # looked are emptied too
                        if span:
                            chunk_first, chunk_last = (min(chunk_first, span[0]),
                                                       max(chunk_last, span[1]))
                        times_refresh(None)
                    else:
                        times_refresh(subset_fixed(
                            cursor, *raw_rows_in(*_sql_bounds(chunk_first, chunk_last))))
                    yield "milestones"
                    days_recompute(chunk_first, chunk_last)
                    yield "days"
                    months_recompute(chunk_first, chunk_last)
                state.last_rebuild_at = timezone.now()
                state.save(update_fields=["last_rebuild_at"])
            yield "months"

    for _step in progress(steps(), desc="rollups", unit="step", total=3 * len(spans)):
        pass
    return len(spans)


def _claim(cursor, limit: int) -> tuple[int, list[int], set[date]]:
    """Take up to `limit` stale marks: (marks taken, the distinct declarations they name, the
    days moved rows left)."""
    cursor.execute(f"DELETE FROM {STALE} WHERE id IN (SELECT id FROM {STALE} ORDER BY id "
                   f"LIMIT %s) RETURNING declaration_id, {local_day('at')}", [limit])
    rows = cursor.fetchall()
    return (len(rows), sorted({row[0] for row in rows}),
            {date.fromisoformat(str(row[1])) for row in rows if row[1] is not None})


def _raw_days(cursor, ids: list[int]) -> list[date]:
    marks = ", ".join(["%s"] * len(ids))
    cursor.execute(
        f"SELECT DISTINCT {local_day('at')} FROM {EVENTS} WHERE declaration_id IN ({marks})"
        f" UNION SELECT DISTINCT {local_day('paid_at')} FROM {PAYMENTS}"
        f" WHERE declaration_id IN ({marks})"
        f" UNION SELECT DISTINCT {local_day('decided_at')} FROM {OUTCOMES}"
        f" WHERE declaration_id IN ({marks})"
        f" UNION SELECT DISTINCT {local_day('found_at')} FROM {VIOLATIONS}"
        f" WHERE declaration_id IN ({marks})", ids * 4)
    return sorted({date.fromisoformat(str(row[0])) for row in cursor.fetchall()})


def runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as contiguous (first, last) runs."""
    out: list[list[date]] = []
    for day in days:
        if out and day == out[-1][1] + timedelta(days=1):
            out[-1][1] = day
        else:
            out.append([day, day])
    return [(a, b) for a, b in out]


def stale_refresh(*, batch: int = BATCH) -> int:
    """Bring the rollups up to date with every declaration changed since the last run: claim
    a batch of stale marks, refresh those declarations' milestones, recompute the days of all
    their raw rows; until none is left. Safe to run twice at once (the runs take turns).
    Returns the number of declarations refreshed."""
    done = 0
    while True:
        with transaction.atomic():
            state = _locked_state()
            with connection.cursor() as cursor:
                bulk_session(cursor)
                claimed, ids, left = _claim(cursor, batch)
                if ids:
                    days = sorted(set(_raw_days(cursor, ids)) | left)
            if ids:
                times_refresh(", ".join(["%s"] * len(ids)), ids)
                for first, last in runs(days):
                    days_recompute(first, last)
                for month in sorted({month_of(day) for day in days}):
                    months_recompute(month, month)
            state.last_run_at = timezone.now()
            state.save(update_fields=["last_run_at"])
        done += len(ids)
        if claimed < batch:  # marks, not declarations: one declaration may have many
            return done


def history_span() -> tuple[date, date] | None:
    """The first and last local days of every row the rollups count: the event log, payments,
    check outcomes, violations (a post-clearance audit may come after the last event); None
    when there is none."""
    from django.db.models import Max, Min

    from declarations.models import CheckOutcome, DeclarationEvent, DutyPayment, Violation

    moments = []
    for model, column in ((DeclarationEvent, "at"), (DutyPayment, "paid_at"),
                          (CheckOutcome, "decided_at"), (Violation, "found_at")):
        span = model.objects.aggregate(first=Min(column), last=Max(column))
        moments += [m for m in (span["first"], span["last"]) if m is not None]
    if not moments:
        return None
    return timezone.localtime(min(moments)).date(), timezone.localtime(max(moments)).date()
