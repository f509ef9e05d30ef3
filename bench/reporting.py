"""Reporting benchmark (issue 18: rollups and the branch leader's dashboard).

On 100,000 and on 1,000,000 seeded declarations in PostgreSQL (the demo history of
`seed_demo --declarations N`, or its copies, see below: ~760 days to today at both sizes, so 1M
is ten times denser per day; routed by the risk engine, with events, payments, check outcomes
and violations):
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
   (/api/v1/reports/dashboard/, token) on gunicorn -w 2 with DEBUG off, one server per size
   running at once: p50 / p95 of sequential requests (one leader at a time) cycling over
   realistic filters (this year to date, last month, one border gate, imports), each request
   sent to every size in turn so that the machine's drift falls on all alike, warm-up
   excluded (goal: p95 <= 150 ms at 1M and p95(1M) / p95(100k) <= 1.2); and where
   reporting.selectors.dashboard() spends its time, in-process.

    .venv/bin/python bench/reporting.py [--sizes 100000 1000000] [--reuse] [--keep]
        [--parts rebuild incremental http] [--rounds 3] [--samples 200] [--chunk-days N]
        [--seed-demo]

Seeding 100k takes ~10 minutes (seed_demo: mostly Python generating the history). 1M is seeded
from the 100k database in a few minutes (seed_by_copies: its history and nine copies of it in
SQL, each moved 137 minutes earlier than the last; the demo's enterprises, gates and regimes
are the same at any size, so this is the density seed_demo gives) unless --seed-demo asks for
seed_demo itself (over an hour). --keep leaves the databases `customs_bench_reporting_100k` /
`customs_bench_reporting_1m` behind and --reuse starts from them (migrated to the code first;
the appended day is removed again). The seed runs with the stale-mark triggers disabled
(nothing is measured while seeding). A rebuild rewrites the rollups of a reused database, as
`rebuild_rollups` would. Needs PostgreSQL on 127.0.0.1. Not a test: nothing here asserts a time.
"""

import argparse
import contextlib
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import nullcontext
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
                    "reporting_valuerollup", "reporting_monthrollup",
                    "reporting_monthsegmentrollup", "reporting_monthvaluerollup",
                    "reporting_staledeclaration")
DERIVED_TABLES = REPORTING_TABLES[:-1]
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
    ("months (months_recompute)", r"^\s*(DELETE FROM|INSERT INTO) reporting_month"),
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


# the tables the rollups read, and how a copy renumbers them: id columns shifted by the table's
# largest id times the copy's number, the unique texts suffixed, the timestamps moved earlier
COPIED = {
    "declarations_declaration": {"id": "declarations_declaration"},
    "declarations_goodsline": {"id": "declarations_goodsline",
                               "declaration_id": "declarations_declaration"},
    "declarations_declarationevent": {"id": "declarations_declarationevent",
                                      "declaration_id": "declarations_declaration"},
    "declarations_dutypayment": {"id": "declarations_dutypayment",
                                 "declaration_id": "declarations_declaration"},
    "declarations_checkoutcome": {"id": "declarations_checkoutcome",
                                  "declaration_id": "declarations_declaration"},
    "declarations_violation": {"id": "declarations_violation",
                               "declaration_id": "declarations_declaration",
                               "goods_line_id": "declarations_goodsline"},
}
SHIFT_MINUTES = 137


def seed_by_copies(declarations: int, database: str, source: str, source_size: int) -> float:
    """`declarations` seeded as the `source` database's history (seed_demo's, `source_size`
    declarations) and copies of it, in SQL: copy k moved k x 137 minutes earlier (durations
    kept, a share of its rows on another day) with new ids, numbers and payment references.
    The branch's enterprises, gates and regimes are the demo's whatever the size (seed_demo
    does not grow them either), so 10x the declarations means 10x the rows per day and key, as
    seed_demo would give in hours instead of minutes. Only the tables the rollups read are
    copied (not risk assessments, documents or checks). Then the rollups are rebuilt."""
    started = time.perf_counter()
    copies = declarations // source_size - 1
    psql(f"DROP DATABASE IF EXISTS {database}",
         f"CREATE DATABASE {database} TEMPLATE {source}")
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=bench_env(database),
                   check=True)
    stale_triggers(database, enable=False)
    use_database(database)
    from django.db import connection, transaction

    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        tops = {}
        for table in COPIED:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            tops[table] = cursor.fetchone()[0]
        for k in range(1, copies + 1):
            for table, renumbered in COPIED.items():
                cursor.execute("SELECT column_name, data_type FROM information_schema.columns "
                               "WHERE table_name = %s ORDER BY ordinal_position", [table])
                columns = cursor.fetchall()
                select = []
                for name, kind in columns:
                    if name in renumbered:
                        select.append(f"{name} + {k * tops[renumbered[name]]}")
                    elif table == "declarations_declaration" and name == "number":
                        select.append(f"CASE WHEN number IS NULL THEN NULL ELSE '9{k}' || "
                                      f"lpad((id + {k * tops[table]})::text, 10, '0') END")
                    elif name == "reference":
                        select.append(f"reference || '-copy{k}'")
                    elif kind == "timestamp with time zone":
                        select.append(f"{name} - interval '{k * SHIFT_MINUTES} minutes'")
                    else:
                        select.append(name)
                names = ", ".join(name for name, _kind in columns)
                cursor.execute(f"INSERT INTO {table} ({names}) SELECT {', '.join(select)} "
                               f"FROM {table} WHERE id <= {tops[table]}")
            print(f"  copy {k}/{copies} written", flush=True)
        for table in COPIED:  # the ids written by hand: the next insert must not reuse one
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                           f"(SELECT MAX(id) FROM {table}))")
    stale_triggers(database, enable=True)
    psql("TRUNCATE reporting_staledeclaration", "VACUUM ANALYZE", database=database)
    from reporting.rollups import history_span, rollups_rebuild

    rollups_rebuild(*history_span())
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
    """The GROUP BY, under the session settings the rebuild gives itself (bulk_session)."""
    from django.conf import settings
    from django.db import connection, transaction

    from reporting.dialect import bulk_session

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_baseline")
        with transaction.atomic():
            bulk_session(cursor)
            started = time.perf_counter()
            cursor.execute(BASELINE_SQL, {"zone": settings.TIME_ZONE})
            elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_baseline")
        rows = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_baseline")
    return elapsed, rows


def selects_seconds(first: date, last: date) -> float:
    """The rebuild's INSERT ... SELECTs (milestones, days) as SELECT count(*) over their
    SELECTs, under the rebuild's session settings: the computing alone, no row written."""
    from django.db import connection, transaction

    from reporting import rollups
    from reporting.dialect import bulk_session

    start, end = rollups._sql_bounds(first, last)
    statements = [
        (rollups._times_insert(None), []),
        (rollups.ROLLUP_INSERT(), [first, last, first, last, *[start, end] * 4]),
        (rollups.SEGMENTS_INSERT(), rollups.segments_params(first, last)),
        (rollups.VALUES_INSERT(), [first, last] * 2),
    ]
    with connection.cursor() as cursor, transaction.atomic():
        bulk_session(cursor)
        started = time.perf_counter()
        for sql, params in statements:
            select = re.sub(r"^\s*INSERT INTO \w+ \([^)]*\)", "", sql)
            cursor.execute(f"SELECT count(*) FROM ({select}) q", params)
        return time.perf_counter() - started


def rebuild_seconds(first: date, last: date, *, chunk_days: int | None,
                    clock: StatementClock | None = None) -> float:
    """One rollups_rebuild() of first..last after a VACUUM ANALYZE of the rollup tables."""
    from django.db import connection

    from reporting.rollups import rollups_rebuild

    vacuum(*DERIVED_TABLES)
    started = time.perf_counter()
    with connection.execute_wrapper(clock) if clock else nullcontext():
        rollups_rebuild(first, last, chunk_days=chunk_days)
    return time.perf_counter() - started


def measure_rebuild(first: date, last: date, *, rounds: int, chunk_days: int | None) -> dict:
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
        how = f"chunks of {chunk_days} days" if chunk_days else "one transaction"
        print(f"  round {n}: GROUP BY {base:6.2f} s ({rows:,} rows), rebuild {rebuild:6.2f} s "
              f"({how}), ratio {ratios[-1]:.2f}x", flush=True)
    print(f"  where round 1's rebuild went ({rebuilds[0]:.1f} s):")
    shares = {**clock.seconds, "COMMIT, Python": rebuilds[0] - sum(clock.seconds.values())}
    for label, seconds in sorted(shares.items(), key=lambda item: -item[1]):
        calls = f"({clock.calls[label]} statements)" if label in clock.calls else ""
        print(f"    {label:36s} {seconds:7.2f} s {100 * seconds / rebuilds[0]:5.1f}%  {calls}")
    base = baseline_seconds()[0]
    selects = selects_seconds(first, last)
    print(f"  the rebuild's SELECTs alone, nothing written: {selects:.2f} s, "
          f"{selects / base:.2f}x the GROUP BY ({base:.2f} s)", flush=True)
    return {"ratio": statistics.median(ratios), "rebuild": statistics.median(rebuilds),
            "baseline": statistics.median(baselines), "statements": shares, "selects": selects}


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
    transaction), then recompute the day and its month."""
    from django.db import connection, transaction

    from reporting.rollups import TIMES, days_recompute, months_recompute

    with transaction.atomic(), connection.cursor() as cursor:
        # (the derived tables' references carry no constraint: not found below)
        cursor.execute(f"DELETE FROM {TIMES} WHERE declaration_id BETWEEN %s AND %s",
                       [first_id, first_id + count - 1])
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
        months_recompute(day, day)


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
    shares = {**clock.seconds, "COMMIT, Python":
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


def measure_http(databases: dict[int, str], *, samples: int) -> dict[int, dict]:
    """The page and the API of every size at once: a gunicorn per database, each request to
    one size followed by the same request to the next, so that a shared machine's drift falls
    on every size alike (the goal is a ratio between them)."""
    import http.client

    from django.db import connection
    from django.utils import timezone

    mix = filter_mix(timezone.localdate())
    who = {}
    for size, database in databases.items():
        use_database(database)
        who[size] = credentials()
    connection.close()
    out: dict[int, dict] = {size: {} for size in databases}
    with contextlib.ExitStack() as stack:
        urls = {}
        for n, (size, database) in enumerate(databases.items()):
            # STATIC_ROOT is a temporary folder (bench/settings.py), which whitenoise walks when
            # a worker boots: a folder of its own, not the shared /tmp other processes churn.
            static = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-reporting-"))
            urls[size] = stack.enter_context(gunicorn(bench_env(database, TMPDIR=static),
                                                      PORT + n))
        for name, prefix, credential in (("page", "/reports/?", "cookie"),
                                         ("API", "/api/v1/reports/dashboard/?", "token")):
            paths = [prefix + query for _label, query in mix]
            connections = {size: http.client.HTTPConnection(
                *url.removeprefix("http://").split(":"), timeout=60)
                for size, url in urls.items()}
            samples_of: dict = {size: defaultdict(list) for size in databases}
            statuses: dict = {size: set() for size in databases}
            warmup = 2 * len(paths)
            for n in range(warmup + samples):
                path = paths[n % len(paths)]
                for size, link in connections.items():
                    started = time.perf_counter()
                    link.request("GET", path, headers=who[size][credential])
                    response = link.getresponse()
                    response.read()
                    elapsed = (time.perf_counter() - started) * 1000
                    statuses[size].add(response.status)
                    if n >= warmup:
                        samples_of[size][path].append(elapsed)
            for link in connections.values():
                link.close()
            for size in databases:
                every = [v for values in samples_of[size].values() for v in values]
                figures = out[size][name] = {
                    "p50": statistics.median(every),
                    "p95": statistics.quantiles(every, n=100)[94], "max": max(every)}
                bad = [s for s in statuses[size] if s != 200]
                print(f"  {size:>9,} {name:4s}: p50 {figures['p50']:6.1f} ms, p95 "
                      f"{figures['p95']:6.1f} ms, max {figures['max']:6.1f} ms over {samples} "
                      f"requests{'  NON-200: ' + str(bad) if bad else ''}", flush=True)
                for (label, _query), path in zip(mix, paths, strict=True):
                    values = samples_of[size][path]
                    print(f"            {label:26s} p50 {statistics.median(values):6.1f} ms, "
                          f"max {max(values):6.1f} ms")
    return out


def dashboard_queries(repeat: int = 5) -> dict:
    """reporting.selectors.dashboard() in-process over the filter mix: its wall time, the
    time in SQL, and its statements by shape (the SQL up to WHERE): [ms per dashboard,
    statements per dashboard, an example], slowest first."""
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


# --- per size ----------------------------------------------------------------------------------
def measure(declarations: int, args) -> dict:
    from django.db import connection

    from declarations.models import Declaration
    from reporting.rollups import history_span

    database = BENCH_DATABASES.get(declarations, f"customs_bench_reporting_{declarations}")
    seeded = None
    if not (args.reuse and database_exists(database)):
        source_size = min(BENCH_DATABASES)
        source = BENCH_DATABASES[source_size]
        if (not args.seed_demo and declarations > source_size
                and declarations % source_size == 0 and database_exists(source)):
            print(f"seeding {declarations:,} declarations into {database} as copies of "
                  f"{source} ...", flush=True)
            seeded = seed_by_copies(declarations, database, source, source_size)
        else:
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
                                            chunk_days=args.chunk_days)
    if "incremental" in args.parts:
        print("incremental update:", flush=True)
        result["incremental"] = measure_incremental(total, last)
    vacuum(*REPORTING_TABLES)
    if "http" in args.parts:
        result["queries"] = dashboard_queries()
        print_dashboard_queries("stock settings", result["queries"])
    connection.close()
    return result


def summary(results: dict[int, dict]) -> None:
    print("\n==================== summary ====================")
    for size, r in results.items():
        print(f"{size:>9,} declarations:")
        if "rebuild" in r:
            b = r["rebuild"]
            print(f"{'':11s}rebuild {b['rebuild']:6.2f} s vs GROUP BY {b['baseline']:6.2f} s "
                  f"(medians): median ratio {b['ratio']:.2f}x (goal <= 2.0x); its SELECTs "
                  f"alone {b['selects']:.2f} s (the rebuild is {b['rebuild'] / b['selects']:.1f}x "
                  f"the computing of its figures)")
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
    parser.add_argument("--chunk-days", type=int, default=None,
                        help="rebuild in transactions of this many days (default: one)")
    parser.add_argument("--seed-demo", action="store_true",
                        help="seed every size with seed_demo (not 1M as copies of 100k)")
    parser.add_argument("--samples", type=int, default=200, help="requests per measurement")
    parser.add_argument("--parts", nargs="+", choices=PARTS, default=PARTS,
                        help="what to measure (default: all)")
    args = parser.parse_args()
    os.environ.update(bench_env(BENCH_DATABASES.get(args.sizes[0], "postgres")))
    import django

    django.setup()
    results = {size: measure(size, args) for size in args.sizes}
    if "http" in args.parts:
        print("\ndashboard page and reports API (gunicorn -w 2 per size, DEBUG off, one leader "
              "at a time, filters cycling, each request to every size in turn):", flush=True)
        for size, figures in measure_http({size: results[size]["database"]
                                           for size in args.sizes},
                                          samples=args.samples).items():
            results[size]["http"] = figures
    summary(results)
    if not args.keep:
        for size in args.sizes:
            psql(f"DROP DATABASE IF EXISTS {results[size]['database']}")


if __name__ == "__main__":
    main()
