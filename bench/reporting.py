"""Reporting benchmark (issue 18: rollups and the branch leader's dashboard).

On 100,000 and on 1,000,000 seeded declarations in PostgreSQL (the demo history of
`seed_demo --declarations N`: ~760 days to today at both sizes, so 1M is ten times denser per
day; routed by the risk engine, with events, payments, check outcomes and violations):
1. the full rollup rebuild (reporting.rollups.rollups_rebuild over the whole history,
   in-process) against one raw SQL GROUP BY over the same rows in the same run: per day,
   office, gate, flow, regime and channel the registrations with their invoice value and
   duties, and the end-to-end clearance time (first registration and clearance event of each
   declaration), materialized as a temporary table (goal: rebuild <= 2x the GROUP BY), in
   rounds; then where the rebuild's time goes, statement by statement;
2. the incremental update: one new day of work appended through bulk inserts (~1/730 of the
   declarations filed and moving through their states that day, with their payments, outcomes
   and violations; the stale-mark triggers on), then reporting.rollups.stale_refresh();
3. the dashboard page (/reports/, a logged-in branch leader) and the reports API
   (/api/v1/reports/dashboard/, token) on gunicorn -w 2 with DEBUG off: p50 / p95 of sequential
   requests (one leader at a time) cycling over realistic filters (this year to date, last
   month, one border gate, imports), warm-up excluded; then where reporting.selectors.
   dashboard() spends its time, in-process (goal: p95 <= 150 ms at 1M and
   p95(1M) / p95(100k) <= 1.2).
With --experiments, also what would change those figures, measured in the same run: the
rebuild without JIT, without the foreign-key checks of the derived tables, in one pass over the
whole history (rebuild_whole), its SELECTs alone; stale_refresh() with times_refresh reading
only the declarations it refreshes; the dashboard without JIT; this year's figures read from
month-grain copies of the rollups (temporary tables: nothing in the schema changes).

    .venv/bin/python bench/reporting.py [--sizes 100000 1000000] [--reuse] [--keep]
        [--experiments] [--parts rebuild incremental http] [--rounds 3] [--samples 200]

Seeding takes ~10 minutes for 100k and over an hour for 1M (mostly Python generating the
history): --keep leaves the databases `customs_bench_reporting_100k` /
`customs_bench_reporting_1m` behind and --reuse starts from them (migrated to the code first;
the appended day is removed again). The seed runs with the stale-mark triggers disabled
(nothing is measured while seeding). A rebuild rewrites the rollups of a reused database, as
`rebuild_rollups` would. Needs PostgreSQL on 127.0.0.1. Not a test: nothing here asserts a time.
"""

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager, nullcontext
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, ROOT, bench_env, database_exists, gunicorn, psql  # noqa: E402

BENCH_DATABASES = {100_000: "customs_bench_reporting_100k", 1_000_000: "customs_bench_reporting_1m"}
PORT = 8036
PARTS = ["rebuild", "incremental", "http"]
# the stale-mark triggers of reporting/migrations/0002_stale_triggers.py, by table
STALE_TRIGGERS = {
    "declarations_declarationevent": ["reporting_stale_event"],
    "declarations_dutypayment": ["reporting_stale_payment"],
    "declarations_checkoutcome": ["reporting_stale_outcome"],
    "declarations_violation": ["reporting_stale_violation", "reporting_stale_violation_change"],
    "declarations_declaration": ["reporting_stale_declaration"],
}
REPORTING_TABLES = ("reporting_declarationtimes", "reporting_rollup", "reporting_segmentrollup",
                    "reporting_valuerollup", "reporting_staledeclaration")
# What a hand-written report query over the same rows costs: the registrations of each day and
# key with their value and duties, and the end-to-end clearance time, straight from the log.
BASELINE_SQL = """
CREATE TEMP TABLE bench_baseline AS
SELECT (ev.registered_at AT TIME ZONE %(zone)s)::date AS day, d.office_id, d.border_gate_id,
       d.flow, d.regime_id, d.channel, COUNT(*) AS registered,
       SUM(d.total_invoice_value * d.exchange_rate) AS invoice_vnd,
       SUM(d.import_duty_vnd) AS import_duty_vnd, SUM(d.export_duty_vnd) AS export_duty_vnd,
       SUM(d.additional_duty_vnd) AS additional_duty_vnd, SUM(d.sct_vnd) AS sct_vnd,
       SUM(d.ept_vnd) AS ept_vnd, SUM(d.vat_vnd) AS vat_vnd,
       SUM(d.total_duty_vnd) AS total_duty_vnd, COUNT(ev.cleared_at) AS cleared,
       SUM(EXTRACT(EPOCH FROM ev.cleared_at - ev.registered_at)) AS clearance_seconds
FROM (SELECT declaration_id,
             MIN(at) FILTER (WHERE from_state = 'draft' AND to_state = 'submitted')
                 AS registered_at,
             MIN(at) FILTER (WHERE to_state = 'cleared') AS cleared_at
      FROM declarations_declarationevent GROUP BY declaration_id) ev
JOIN declarations_declaration d ON d.id = ev.declaration_id
WHERE ev.registered_at IS NOT NULL
GROUP BY 1, 2, 3, 4, 5, 6
"""
# the statements of reporting.rollups, told apart by their first words
STATEMENTS = [
    ("times DELETE", r"^\s*DELETE FROM reporting_declarationtimes"),
    ("times INSERT (times_refresh)", r"^\s*INSERT INTO reporting_declarationtimes"),
    ("rollup DELETE", r"^\s*DELETE FROM reporting_rollup "),
    ("ROLLUP_INSERT", r"^\s*INSERT INTO reporting_rollup "),
    ("segments DELETE", r"^\s*DELETE FROM reporting_segmentrollup"),
    ("SEGMENTS_INSERT", r"^\s*INSERT INTO reporting_segmentrollup"),
    ("values DELETE", r"^\s*DELETE FROM reporting_valuerollup"),
    ("VALUES_INSERT", r"^\s*INSERT INTO reporting_valuerollup"),
    ("stale claim / raw days", r"reporting_staledeclaration|SELECT DISTINCT"),
]


# --- seeding -----------------------------------------------------------------------------------
def stale_triggers(database: str, enable: bool) -> None:
    verb = "ENABLE" if enable else "DISABLE"
    psql(*(f"ALTER TABLE {table} {verb} TRIGGER {name}"
           for table, names in STALE_TRIGGERS.items() for name in names), database=database)


def seed(declarations: int, database: str) -> float:
    """The demo history without the stale marks of the bulk load (seed_demo's reporting step
    builds the rollups once), then VACUUM ANALYZE. Returns the seconds it took."""
    started = time.perf_counter()
    env = bench_env(database)
    psql(f"DROP DATABASE IF EXISTS {database}", f"CREATE DATABASE {database}")
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    stale_triggers(database, enable=False)
    subprocess.run([PYTHON, "manage.py", "seed_demo", "--declarations", str(declarations)],
                   cwd=ROOT, env=env, check=True)
    stale_triggers(database, enable=True)
    psql("TRUNCATE reporting_staledeclaration", "VACUUM ANALYZE", database=database)
    return time.perf_counter() - started


def use_database(database: str) -> None:
    """Point the in-process Django connection at `database` (one process measures both)."""
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = database


def vacuum(*tables: str) -> None:
    """What autovacuum does between bulk changes: dead rows gone, statistics current."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


# --- 1. full rebuild against a raw GROUP BY ------------------------------------------------
class StatementClock:
    """An execute wrapper: seconds spent per kind of statement (STATEMENTS)."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def __call__(self, execute, sql, params, many, context):
        label = next((name for name, pattern in STATEMENTS if re.search(pattern, sql)), "other")
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds[label] += time.perf_counter() - started
            self.calls[label] += 1


def baseline_seconds() -> tuple[float, int]:
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_baseline")
        started = time.perf_counter()
        cursor.execute(BASELINE_SQL, {"zone": settings.TIME_ZONE})
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_baseline")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_baseline")
    return elapsed, rows


@contextmanager
def _session(settings: str):
    """PostgreSQL session settings for the block."""
    from django.db import connection

    with connection.cursor() as cursor:
        if settings:
            cursor.execute(settings)
        try:
            yield
        finally:
            if settings:
                cursor.execute("RESET ALL")


@contextmanager
def _times_refresh_restricted():
    """An experiment: reporting.rollups.times_refresh with the declarations joined only for
    the subset (`d.id IN (subset)`), so the planner reads them by primary key instead of
    scanning all of them (its estimate of the grouped events is far off)."""
    from django.db import connection

    from reporting import rollups

    original = rollups.times_refresh

    def restricted(subset_sql: str, params=()) -> None:
        params = list(params)
        join = f"JOIN {rollups.DECLARATIONS} d ON d.id = ev.declaration_id"
        sql = rollups._times_insert(subset_sql)
        assert join in sql, "reporting.rollups._times_insert changed: update this experiment"
        sql = sql.replace(join, f"{join} AND d.id IN ({subset_sql})")
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {rollups.TIMES} WHERE declaration_id IN ({subset_sql})",
                           params)
            cursor.execute(sql, params * 3)

    rollups.times_refresh = restricted
    try:
        yield
    finally:
        rollups.times_refresh = original


def rebuild_whole(first: date, last: date) -> None:
    """A rebuild shaped for the whole history (an experiment, from reporting.rollups' own
    statements): one transaction, TRUNCATE instead of DELETEs, the milestones of every
    declaration in one INSERT ... SELECT without the raw-rows subset, every day at once."""
    from django.db import connection, transaction

    from reporting import rollups

    with transaction.atomic():
        rollups._locked_state()
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(REPORTING_TABLES[:4])}")
            cursor.execute(rollups._times_insert(f"SELECT id FROM {rollups.DECLARATIONS}"))
        rollups.days_recompute(first, last)


def selects_seconds(first: date, last: date) -> float:
    """The four INSERTs of rebuild_whole as SELECT count(*) over their SELECTs: the computing
    alone, no row written."""
    from django.db import connection

    from reporting import rollups

    start, end = rollups._sql_bounds(first, last)
    statements = [
        (rollups._times_insert(f"SELECT id FROM {rollups.DECLARATIONS}"), []),
        (rollups.ROLLUP_INSERT(), [first, last, first, last, *[start, end] * 4]),
        (rollups.SEGMENTS_INSERT(), [first, last] * len(rollups.SEGMENT_SPANS)),
        (rollups.VALUES_INSERT(), [first, last] * 2),
    ]
    with connection.cursor() as cursor:
        started = time.perf_counter()
        for sql, params in statements:
            select = re.sub(r"^\s*INSERT INTO \w+ \([^)]*\)", "", sql)
            cursor.execute(f"SELECT count(*) FROM ({select}) q", params)
        return time.perf_counter() - started


def rebuild_seconds(first: date, last: date, *, chunk_days: int, whole: bool = False,
                    clock: StatementClock | None = None, session: str = "") -> float:
    """One rollups_rebuild() of first..last (rebuild_whole() if `whole`) after a VACUUM ANALYZE
    of the rollup tables; `session`: PostgreSQL settings for the experiments, reset after."""
    from django.db import connection

    from reporting.rollups import rollups_rebuild

    vacuum(*REPORTING_TABLES[:4])
    with _session(session):
        started = time.perf_counter()
        with connection.execute_wrapper(clock) if clock else nullcontext():
            if whole:
                rebuild_whole(first, last)
            else:
                rollups_rebuild(first, last, chunk_days=chunk_days)
        return time.perf_counter() - started


# (label, chunk days (None: --chunk-days; 0: rebuild_whole), session settings): what the
# rebuild's time depends on. JIT: PostgreSQL compiles a statement whose estimated cost passes
# jit_above_cost (times_refresh's INSERT is estimated far above its real size: seconds of
# compiling per chunk). replica: no row-level triggers, so none of the deferred foreign-key
# checks run at each COMMIT (one per inserted row and foreign key of the derived tables), what
# `db_constraint=False` on them would save.
NO_JIT = "SET jit = off"
NO_JIT_NO_FK = "SET jit = off; SET session_replication_role = replica"
EXPERIMENTS = [
    ("JIT off", None, NO_JIT),
    ("JIT off, no foreign-key checks", None, NO_JIT_NO_FK),
    ("rebuild_whole (TRUNCATE, one pass)", 0, ""),
    ("rebuild_whole (TRUNCATE, one pass), JIT off, no foreign-key checks", 0, NO_JIT_NO_FK),
]


def measure_rebuild(first: date, last: date, *, rounds: int, chunk_days: int,
                    experiments: bool) -> dict:
    baseline_seconds()  # warm-up: the base tables into the cache
    ratios, rebuilds, baselines = [], [], []
    clock = StatementClock()
    for n in range(1, rounds + 1):
        base, rows = baseline_seconds()
        rebuild = rebuild_seconds(first, last, chunk_days=chunk_days,
                                  clock=clock if n == 1 else None)
        ratios.append(rebuild / base)
        rebuilds.append(rebuild)
        baselines.append(base)
        print(f"  round {n}: GROUP BY {base:6.2f} s ({rows:,} rows), rebuild {rebuild:6.2f} s "
              f"(chunks of {chunk_days} days), ratio {ratios[-1]:.2f}x", flush=True)
    base = statistics.median(baselines)
    print(f"  where round 1's rebuild went ({rebuilds[0]:.1f} s):")
    shares = {**clock.seconds, "COMMIT (deferred FK checks), Python":
              rebuilds[0] - sum(clock.seconds.values())}
    for label, seconds in sorted(shares.items(), key=lambda item: -item[1]):
        calls = f"({clock.calls[label]} statements)" if label in clock.calls else ""
        print(f"    {label:36s} {seconds:7.2f} s {100 * seconds / rebuilds[0]:5.1f}%  {calls}")
    tried = {}
    if experiments:  # each against a GROUP BY just before it: the load of a shared machine drifts
        print("  experiments, each after a GROUP BY of its own:")
    for label, days, session in EXPERIMENTS if experiments else ():
        before = baseline_seconds()[0]
        tried[label] = rebuild_seconds(first, last, chunk_days=days or chunk_days,
                                       whole=days == 0, session=session)
        print(f"    {label}: {tried[label]:.2f} s, {tried[label] / before:.2f}x the GROUP BY "
              f"({before:.2f} s)", flush=True)
    for label, session in (("JIT on", ""), ("JIT off", NO_JIT)) if experiments else ():
        before = baseline_seconds()[0]
        with _session(session):
            tried[f"SELECTs alone, {label}"] = seconds = selects_seconds(first, last)
        print(f"    rebuild_whole's four SELECTs alone, nothing written, {label}: {seconds:.2f} s, "
              f"{seconds / before:.2f}x the GROUP BY ({before:.2f} s)", flush=True)
    return {"ratio": statistics.median(ratios), "rebuild": statistics.median(rebuilds),
            "baseline": base, "statements": shares, "experiments": tried}


# --- 2. one new day, then stale_refresh() ----------------------------------------------------
def append_day(day: date, count: int) -> tuple[int, int]:
    """`count` declarations filed on `day` with the demo generator (declarations.demo: the risk
    engine routes them), each moving through its states until the day's end, written with COPY
    with the stale-mark triggers on. Returns (first id, stale marks written)."""
    from django.db import transaction
    from django.utils import timezone

    from customs_core.bulk import BulkWriter, reserve_ids
    from declarations import demo
    from declarations.models import (
        CheckOutcome,
        Declaration,
        DeclarationEvent,
        Document,
        DutyPayment,
        GoodsLine,
        Violation,
    )
    from reporting.models import StaleDeclaration

    end = datetime.combine(day, datetime.max.time(), tzinfo=timezone.get_default_timezone())
    world = demo._World(random.Random(day.toordinal()), end)
    router = demo._router()
    writers = {"declaration": BulkWriter(Declaration, demo.DECLARATION_COLUMNS),
               "line": BulkWriter(GoodsLine, demo.LINE_COLUMNS),
               "event": BulkWriter(DeclarationEvent, demo.EVENT_COLUMNS),
               "payment": BulkWriter(DutyPayment, demo.PAYMENT_COLUMNS),
               "document": BulkWriter(Document, demo.DOCUMENT_COLUMNS),
               "violation": BulkWriter(Violation, demo.VIOLATION_COLUMNS),
               "outcome": BulkWriter(CheckOutcome, demo.OUTCOME_COLUMNS), **router.writers}
    first_id = reserve_ids(Declaration, count)
    before = StaleDeclaration.objects.count()
    with transaction.atomic():
        for pk in range(first_id, first_id + count):
            demo._one(world, router, pk, day, writers)
        for writer in writers.values():
            writer.flush()
    return first_id, StaleDeclaration.objects.count() - before


def remove_day(day: date, first_id: int, count: int) -> None:
    """Delete the appended declarations and every row that refers to them, their
    DeclarationTimes included (Django's foreign keys are deferred: any order within one
    transaction), then recompute the day."""
    from django.db import connection, transaction

    from reporting.rollups import days_recompute

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("""
            SELECT c.conrelid::regclass::text, a.attname FROM pg_constraint c
            JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
            WHERE c.contype = 'f' AND c.confrelid = 'declarations_declaration'::regclass""")
        for table, column in cursor.fetchall():
            cursor.execute(f"DELETE FROM {table} WHERE {column} BETWEEN %s AND %s",
                           [first_id, first_id + count - 1])
        cursor.execute("DELETE FROM declarations_declaration WHERE id BETWEEN %s AND %s",
                       [first_id, first_id + count - 1])
        cursor.execute("TRUNCATE reporting_staledeclaration")
        days_recompute(day, day)


def measure_incremental(declarations: int, last: date, label: str = "") -> dict:
    """One new day after `last` appended, stale_refresh() timed, the day removed again (also
    when the measurement fails: a reused database keeps the seeded history only)."""
    from django.db import connection

    from reporting.models import Rollup, StaleDeclaration
    from reporting.rollups import stale_refresh

    if StaleDeclaration.objects.exists():  # a previous run stopped halfway: not measured
        stale_refresh()
    day = last + timedelta(days=1)
    count = max(1, declarations // 730)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM declarations_declarationevent")
        events_before = cursor.fetchone()[0]
    first_id, marks = append_day(day, count)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM declarations_declarationevent")
            events = cursor.fetchone()[0] - events_before
        clock = StatementClock()
        started = time.perf_counter()
        with connection.execute_wrapper(clock):
            refreshed = stale_refresh()
        elapsed = time.perf_counter() - started
        registered = sum(Rollup.objects.filter(day=day).values_list("registered", flat=True))
    finally:
        remove_day(day, first_id, count)
    print(f"  {label}{count:,} declarations filed on {day} ({events:,} events, {marks:,} stale "
          f"marks): stale_refresh() {elapsed * 1000:.0f} ms, returned {refreshed:,} (the day's "
          f"rollups: {registered:,} registered)", flush=True)
    shares = {**clock.seconds, "COMMIT (deferred FK checks), Python":
              elapsed - sum(clock.seconds.values())}
    print("    " + ", ".join(f"{label} {seconds * 1000:.0f} ms" for label, seconds
                             in sorted(shares.items(), key=lambda item: -item[1])))
    return {"seconds": elapsed, "declarations": count, "events": events}


# --- 3. dashboard page and reports API ---------------------------------------------------------
def filter_mix(today: date) -> list[tuple[str, str]]:
    """(label, query string): the filters a branch leader uses."""
    from customs_core.models import BorderGate

    gate = BorderGate.objects.filter(is_active=True).order_by("code").values_list(
        "code", flat=True).first()
    month_end = today.replace(day=1) - timedelta(days=1)
    year = f"date_from={today.year}-01-01&date_to={today.isoformat()}"
    return [("this year to date", f"{year}&flow=&regime=&border_gate="),
            ("last month", f"date_from={month_end.replace(day=1).isoformat()}"
                           f"&date_to={month_end.isoformat()}&flow=&regime=&border_gate="),
            (f"year, border gate {gate}", f"{year}&flow=&regime=&border_gate={gate}"),
            ("year, imports", f"{year}&flow=import&regime=&border_gate=")]


def credentials() -> dict:
    """Session cookie and token of the demo branch leader."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from customs_core.models import User

    user = User.objects.get(username="leader")
    session = SessionStore()
    session.update({SESSION_KEY: str(user.pk),
                    BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                    HASH_SESSION_KEY: user.get_session_auth_hash()})
    session.create()
    return {"cookie": {"Cookie": f"sessionid={session.session_key}; django_language=vi"},
            "token": {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}}


def cycle_latencies(base_url: str, paths: list[str], headers: dict, *, count: int,
                    warmup: int) -> dict:
    """Sequential GETs on one kept-alive connection cycling over `paths`; the first `warmup`
    are not measured. p50 / p95 / max overall and the samples per path."""
    import http.client

    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    samples: dict[str, list[float]] = defaultdict(list)
    statuses = set()
    for n in range(warmup + count):
        path = paths[n % len(paths)]
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - started) * 1000
        statuses.add(response.status)
        if n >= warmup:
            samples[path].append(elapsed)
    connection.close()
    every = [s for values in samples.values() for s in values]
    return {"p50": statistics.median(every), "p95": statistics.quantiles(every, n=100)[94],
            "max": max(every), "statuses": sorted(statuses), "by_path": dict(samples)}


def measure_http(database: str, *, samples: int) -> dict:
    from django.db import connection
    from django.utils import timezone

    mix = filter_mix(timezone.localdate())
    who = credentials()
    connection.close()
    out = {}
    # STATIC_ROOT is the temporary folder (bench/settings.py), which whitenoise walks when a
    # worker boots: a folder of its own, not the shared /tmp other processes churn.
    with (tempfile.TemporaryDirectory(prefix="bench-reporting-") as static,
          gunicorn(bench_env(database, TMPDIR=static), PORT) as url):
        for name, prefix, headers in (("page", "/reports/?", who["cookie"]),
                                      ("API", "/api/v1/reports/dashboard/?", who["token"])):
            paths = [prefix + query for _label, query in mix]
            figures = cycle_latencies(url, paths, headers, count=samples, warmup=2 * len(paths))
            out[name] = figures
            bad = [s for s in figures["statuses"] if s != 200]
            print(f"  {name:4s}: p50 {figures['p50']:6.1f} ms, p95 {figures['p95']:6.1f} ms, max "
                  f"{figures['max']:6.1f} ms over {samples} requests"
                  f"{'  NON-200: ' + str(bad) if bad else ''}", flush=True)
            for (label, _query), path in zip(mix, paths, strict=True):
                values = figures["by_path"][path]
                print(f"        {label:26s} p50 {statistics.median(values):6.1f} ms, "
                      f"max {max(values):6.1f} ms")
    return out


def dashboard_queries(session: str = "", repeat: int = 5) -> dict:
    """reporting.selectors.dashboard() in-process over the filter mix (after `session`
    settings): its wall time, the time in SQL, and its statements by shape (the SQL up to
    WHERE): [ms per dashboard, statements per dashboard, an example], slowest first."""
    from django.db import connection
    from django.utils import timezone

    from reporting.forms import filters_from
    from reporting.selectors import dashboard

    shapes: dict[str, list] = defaultdict(lambda: [0.0, 0, ""])

    def clock(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            entry = shapes[sql.split(" WHERE ")[0]]
            entry[0] += (time.perf_counter() - started) * 1000
            entry[1] += 1
            entry[2] = sql

    mix = filter_mix(timezone.localdate())
    wall = 0.0
    with _session(session):
        for _label, query in mix:
            filters, errors = filters_from(dict(part.split("=", 1) for part in query.split("&")))
            assert filters is not None, errors
            dashboard(filters)  # warm
            started = time.perf_counter()
            with connection.execute_wrapper(clock):
                for _ in range(repeat):
                    dashboard(filters)
            wall += time.perf_counter() - started
    count = len(mix) * repeat
    statements = sorted(([ms / count, calls / count, sql] for ms, calls, sql in shapes.values()),
                        key=lambda entry: -entry[0])
    return {"wall": wall * 1000 / count, "sql": sum(e[0] for e in statements),
            "statements": statements}


def print_dashboard_queries(label: str, found: dict) -> None:
    print(f"  selectors.dashboard() in-process, {label}: {found['wall']:.1f} ms per dashboard, "
          f"{found['sql']:.1f} ms of it in SQL; slowest statements (ms per dashboard):")
    for ms, calls, sql in found["statements"][:5]:
        print(f"    {ms:6.1f} ms x{calls:<4.1f} {' '.join(sql.split())[:140]}")


# The read side at coarser grains: (name, day-grain table, the keys the dashboard groups by,
# the sums). A month copy keeps every filter key; a "grouping sets" copy keeps one filter key
# at a time (gate, flow, regime or none: what one filter, or none, reads).
MONTH_TABLES = [
    ("segments", "reporting_segmentrollup", "channel, segment, bucket",
     "SUM(count) AS count, SUM(seconds) AS seconds"),
    ("rollups", "reporting_rollup", "channel",
     "SUM(registered) AS registered, SUM(cleared) AS cleared, SUM(invoice_usd) AS invoice_usd, "
     "SUM(total_duty_vnd) AS total_duty_vnd, SUM(collected_vnd) AS collected_vnd"),
    ("values", "reporting_valuerollup", "kind, ref",
     "SUM(declarations) AS declarations, SUM(invoice_usd) AS invoice_usd"),
]
FILTER_KEYS = "office_id, border_gate_id, flow, regime_id"
UNFILTERED = "border_gate_id IS NULL AND flow IS NULL AND regime_id IS NULL"
# the heaviest read of each table for one period, unfiltered
READS = {
    "segments": "SELECT channel, segment, bucket, SUM(count), SUM(seconds) FROM {t} "
                "WHERE {period} GROUP BY channel, segment, bucket",
    "rollups": "SELECT channel, SUM(registered), SUM(cleared), SUM(invoice_usd), "
               "SUM(total_duty_vnd), SUM(collected_vnd) FROM {t} WHERE {period} GROUP BY channel",
    "values": "SELECT ref, SUM(declarations), SUM(invoice_usd) AS usd FROM {t} WHERE {period} "
              "AND kind = 'enterprise' GROUP BY ref ORDER BY usd DESC, ref LIMIT 10",
}


def _median_ms(cursor, statements: list[tuple[str, list]], repeat: int) -> float:
    runs = []
    for _ in range(repeat + 1):  # the first run warms
        started = time.perf_counter()
        for sql, params in statements:
            cursor.execute(sql, params)
            cursor.fetchall()
        runs.append((time.perf_counter() - started) * 1000)
    return statistics.median(runs[1:])


def read_experiments(repeat: int = 5) -> dict:
    """This year to date, unfiltered, read from the day-grain rollups against the same figures
    from month-grain copies (temporary tables) for the whole months plus the day rows of the
    month under way, and from "grouping sets" month copies; JIT on and off. Prints the rows
    read and the median ms."""
    from django.db import connection
    from django.utils import timezone

    today = timezone.localdate()
    year, month = date(today.year, 1, 1), today.replace(day=1)
    whole_months, this_month = [year, month - timedelta(days=1)], [month, today]
    period = "day BETWEEN %s AND %s"
    month_of = "date_trunc('month', day)::date"
    out = {}
    with connection.cursor() as cursor:
        for name, table, keys, sums in MONTH_TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS bench_{name}_month, bench_{name}_sets")
            cursor.execute(f"CREATE TEMP TABLE bench_{name}_month AS SELECT {month_of} AS day, "
                           f"{FILTER_KEYS}, {keys}, {sums} FROM {table} "
                           f"GROUP BY {month_of}, {FILTER_KEYS}, {keys}")
            sets = ", ".join(f"({month_of}, {key}{keys})" for key in
                             ("", "border_gate_id, ", "flow, ", "regime_id, "))
            cursor.execute(f"CREATE TEMP TABLE bench_{name}_sets AS SELECT {month_of} AS day, "
                           f"border_gate_id, flow, regime_id, {keys}, {sums} FROM {table} "
                           f"GROUP BY GROUPING SETS ({sets})")
            for copy in ("month", "sets"):
                cursor.execute(f"CREATE INDEX ON bench_{name}_{copy} (day)")
                cursor.execute(f"ANALYZE bench_{name}_{copy}")
        for session in ("", "SET jit = off"):
            if session:
                cursor.execute(session)
            for name, table, _keys, _sums in MONTH_TABLES:
                rows, timings = [], []
                for sql, statements in (
                        (f"{table} WHERE {period}", [(READS[name].format(t=table, period=period),
                                                      [year, today])]),
                        (f"bench_{name}_month WHERE {period}",
                         [(READS[name].format(t=f"bench_{name}_month", period=period),
                           whole_months),
                          (READS[name].format(t=table, period=period), this_month)]),
                        (f"bench_{name}_sets WHERE {period} AND {UNFILTERED}",
                         [(READS[name].format(t=f"bench_{name}_sets",
                                              period=f"{period} AND {UNFILTERED}"),
                           whole_months),
                          (READS[name].format(t=table, period=period), this_month)])):
                    cursor.execute(f"SELECT count(*) FROM {sql}", statements[0][1])
                    rows.append(cursor.fetchone()[0])
                    timings.append(_median_ms(cursor, statements, repeat))
                label = f"{name}, JIT {'off' if session else 'on'}"
                out[label] = timings
                print(f"    {label:18s} day grain {rows[0]:>9,} rows {timings[0]:6.1f} ms; month "
                      f"{rows[1]:>8,} rows {timings[1]:6.1f} ms; month by one filter key "
                      f"{rows[2]:>7,} rows {timings[2]:6.1f} ms (+ this month's days)",
                      flush=True)
        cursor.execute("RESET ALL")
    return out


# --- per size ----------------------------------------------------------------------------------
def measure(declarations: int, args) -> dict:
    from django.db import connection

    from declarations.models import Declaration
    from reporting.rollups import history_span

    database = BENCH_DATABASES.get(declarations, f"customs_bench_reporting_{declarations}")
    seeded = None
    if not (args.reuse and database_exists(database)):
        print(f"seeding {declarations:,} declarations into {database} ...", flush=True)
        seeded = seed(declarations, database)
    else:  # the code may have moved on since the seed
        subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT,
                       env=bench_env(database), check=True)
    use_database(database)
    first, last = history_span()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM declarations_declarationevent")
        events = cursor.fetchone()[0]
    total = Declaration.objects.count()
    print(f"\n== {total:,} declarations, {events:,} events, {first} .. {last} ({database}"
          f"{f', seeded in {seeded / 60:.1f} min' if seeded else ''})", flush=True)
    result = {"declarations": total, "database": database}
    if "rebuild" in args.parts:
        print("full rebuild against a raw GROUP BY over the same rows:", flush=True)
        result["rebuild"] = measure_rebuild(first, last, rounds=args.rounds,
                                            chunk_days=args.chunk_days,
                                            experiments=args.experiments)
    if "incremental" in args.parts:
        print("incremental update:", flush=True)
        result["incremental"] = measure_incremental(total, last)
        if args.experiments:
            with _times_refresh_restricted():
                measure_incremental(total, last, "experiment, declarations joined by the "
                                                 "subset in times_refresh: ")
    vacuum(*REPORTING_TABLES)
    if "http" not in args.parts:
        return result
    print("dashboard page and reports API (gunicorn -w 2, DEBUG off, sequential, filters "
          "cycling):", flush=True)
    result["http"] = measure_http(database, samples=args.samples)
    result["queries"] = dashboard_queries()
    print_dashboard_queries("stock settings", result["queries"])
    if args.experiments:
        print_dashboard_queries("JIT off", dashboard_queries("SET jit = off"))
        print("  this year to date, day grain against a month grain (read_experiments):")
        result["reads"] = read_experiments()
    connection.close()
    return result


def summary(results: dict[int, dict]) -> None:
    print("\n==================== summary ====================")
    for size, r in results.items():
        print(f"{size:>9,} declarations:")
        if "rebuild" in r:
            b = r["rebuild"]
            print(f"{'':11s}rebuild {b['rebuild']:6.2f} s vs GROUP BY {b['baseline']:6.2f} s "
                  f"(medians): median ratio {b['ratio']:.2f}x (goal <= 2.0x)")
        if "incremental" in r:
            print(f"{'':11s}incremental: one day ({r['incremental']['declarations']:,} "
                  f"declarations, {r['incremental']['events']:,} events), stale_refresh() "
                  f"{r['incremental']['seconds'] * 1000:.0f} ms")
        if "http" in r:
            print(f"{'':11s}dashboard page p50 {r['http']['page']['p50']:6.1f} ms p95 "
                  f"{r['http']['page']['p95']:6.1f} ms; API p50 {r['http']['API']['p50']:6.1f} ms "
                  f"p95 {r['http']['API']['p95']:6.1f} ms (goal p95 <= 150 ms at 1M)")
    sizes = sorted(results)
    if len(sizes) >= 2 and all("http" in results[s] for s in sizes):
        small, large = results[sizes[0]]["http"], results[sizes[-1]]["http"]
        for name in ("page", "API"):
            print(f"p95({sizes[-1]:,}) / p95({sizes[0]:,}) {name}: "
                  f"{large[name]['p95'] / small[name]['p95']:.2f} (goal <= 1.2)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=sorted(BENCH_DATABASES))
    parser.add_argument("--reuse", action="store_true", help="start from existing databases")
    parser.add_argument("--keep", action="store_true", help="leave the databases behind")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunk-days", type=int, default=31)
    parser.add_argument("--experiments", action="store_true",
                        help="also rebuild once per variant of EXPERIMENTS")
    parser.add_argument("--samples", type=int, default=200, help="requests per measurement")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=PARTS,
                        help="what to measure (default: all)")
    args = parser.parse_args()
    os.environ.update(bench_env(BENCH_DATABASES.get(args.sizes[0], "postgres")))
    import django

    django.setup()
    results = {size: measure(size, args) for size in args.sizes}
    summary(results)
    if not args.keep:
        for size in args.sizes:
            psql(f"DROP DATABASE IF EXISTS {results[size]['database']}")


if __name__ == "__main__":
    main()
