"""Bonded-warehouse benchmark (issue: bonded-warehouse stock ledger).

1. Withdrawals on one hot stock item: POST /api/v1/stock-items/{id}/adjustments/ with
   quantity -1 (an officer's adjustment: one conditional UPDATE of the item and its ledger row,
   so every request waits for the row lock of the one before), 16 clients on the same item,
   against the bare DRF POST that bench/submission.py measures, on the same gunicorn (-w 2,
   DEBUG off) in the same run, wrk -t2 -c16, in rounds (goal >= 0.3x). The item holds a
   billion units, so every withdrawal should answer 201: the answers are counted by status.
   Afterwards the item's quantity must equal the sum of its ledger rows and its start minus the
   withdrawals made, and the withdrawals' balance_after must be start-1 ... start-n, each once.
2. The monthly stock report of a warehouse with 100,000 movements, loaded with COPY over four
   months, each item's balance never negative and equal to the sum of its rows (checked):
   reports.monthly_report for a month in the middle, median of several runs in process
   (goal < 1 s), the same aggregate in raw SQL for reference, and once through
   GET /api/v1/warehouses/{code}/report/?month=YYYY-MM. The report's cost follows the number
   of items more than the number of rows, so two shapes by default, a warehouse each: 2,000
   large lots (50 movements each) and 10,000 small ones (10 each: an entry, a few exits).

    .venv/bin/python bench/warehouses.py [--duration 10] [--rounds 3] [--items 2000,10000]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and wrk (apt-get install -y wrk). Creates
and drops its own database `customs_bench_warehouses` (`--keep` leaves it). Two to three minutes
with the defaults. Not a test: nothing here asserts a time.
"""

import argparse
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, ROOT, baseline, bench_env, gunicorn, psql, wrk  # noqa: E402

DB = "customs_bench_warehouses"
PORT = 8034
ENV = bench_env(DB)
HOT_WAREHOUSE = "20BBW02"  # the hot item's warehouse
REPORT_WAREHOUSES = ["20BBW01", "20BBW03", "20BBW04", "20BBW05"]  # one per ledger shape
HOT_START = Decimal("1000000000")  # a billion units: 1-unit withdrawals never run out
REASON = "Lấy mẫu kiểm tra / samples taken for testing"

WITHDRAW_LUA = """
wrk.method = "POST"
wrk.body = [[%(body)s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token %(token)s"
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  created, conflict, other, other_seen = 0, 0, 0, ""
end
function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 409 then
    conflict = conflict + 1
  else
    other = other + 1
    if other_seen == "" then other_seen = status .. " " .. string.sub(body, 1, 160) end
  end
end
done = function(summary, latency, requests)
  local c, k, o, seen = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    k = k + thread:get("conflict")
    o = o + thread:get("other")
    if seen == "" then seen = thread:get("other_seen") end
  end
  io.write(string.format("NON2XX %%d\\n", summary.errors.status))
  io.write(string.format("STATUS 201=%%d 409=%%d other=%%d\\n", c, k, o))
  if seen ~= "" then io.write("FIRST-OTHER " .. seen .. "\\n") end
end
"""


def setup_database() -> None:
    psql(f"DROP DATABASE IF EXISTS {DB}", f"CREATE DATABASE {DB}")
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=ENV, check=True)


def people(owners: int) -> tuple:
    """The supervising officer (and the token wrk sends) and the goods' owners."""
    from rest_framework.authtoken.models import Token

    from customs_core.reference_data import reference_data_load
    from customs_core.testing.factories import EnterpriseFactory, UserFactory

    reference_data_load()
    officer = UserFactory(username="wh_bench_inspector", role="inspection")
    token = Token.objects.create(user=officer).key
    return officer, token, [EnterpriseFactory() for _ in range(owners)]


def hot_item(owner):
    """The one item every withdrawal hits, with its first ledger row (HOT_START units in)."""
    from django.db import transaction
    from django.utils import timezone

    from customs_core.models import BondedWarehouse, TariffLine
    from inspection.warehouses import ledger
    from inspection.warehouses.models import StockItem

    today = timezone.localdate()
    with transaction.atomic():
        item = StockItem.objects.create(
            warehouse=BondedWarehouse.objects.get(code=HOT_WAREHOUSE), owner=owner,
            tariff_line=TariffLine.objects.get(hs_code="19023040"), description="Mì ăn liền",
            lot="HOT-0001/1", unit="KGM", entered_on=today, term_until=today + timedelta(365))
        ledger.put(item, HOT_START, reason="bench: opening balance")
    item.refresh_from_db()
    return item


def month_starts(count: int) -> list[date]:
    """The first days of the `count` full months before this one, oldest first."""
    from django.utils import timezone

    first = timezone.localdate().replace(day=1)
    months = []
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


def load_ledger(code: str, officer, owners, *, movements: int, items: int, months: list[date],
                rng: random.Random) -> dict:
    """`movements` ledger rows over `items` items of warehouse `code`, spread over `months`,
    with COPY (customs_core/bulk.py). Per item, in time order: an entry first, then exits
    (never more than the balance), more entries and a few officers' adjustments either way;
    balance_after is the running sum and the item's quantity the last one."""
    from django.db import connection, transaction
    from django.utils import timezone

    from customs_core.bulk import insert_rows, reserve_ids
    from customs_core.models import BondedWarehouse, TariffLine
    from inspection.warehouses.models import StockItem, StockMovement

    warehouse = BondedWarehouse.objects.get(code=code)
    lines = list(TariffLine.objects.order_by("hs_code").values_list("pk", "unit"))
    lines = lines[:: max(1, len(lines) // 60)][:60]  # 60 HS lines across the tariff
    zone = timezone.get_current_timezone()
    begin = timezone.make_aware(datetime.combine(months[0], datetime.min.time()), zone)
    after = (months[-1] + timedelta(days=32)).replace(day=1)
    span = (timezone.make_aware(datetime.combine(after, datetime.min.time()), zone)
            - begin).total_seconds()
    first_id = reserve_ids(StockItem, items)
    now = timezone.now()
    item_rows, ledger_rows = [], []
    per_item = [movements // items + (1 if n < movements % items else 0) for n in range(items)]
    for n, count in enumerate(per_item):
        item_id = first_id + n
        moments = sorted(begin + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
        balance = 0  # thousandths of a unit: exact integer arithmetic
        for seq, at in enumerate(moments):
            roll = rng.random()
            reason, actor = "", None
            if seq == 0 or balance == 0 or roll < 0.25:
                kind, delta = "in", rng.randint(200_000, 5_000_000)
            elif roll < 0.95:
                kind, delta = "out", -min(balance, rng.randint(1_000, 800_000))
            else:
                kind, reason, actor = "adjustment", REASON, officer.pk
                delta = rng.randint(1, 5_000) * (-1 if rng.random() < 0.7 else 1)
                delta = max(delta, -balance)
            balance += delta
            ledger_rows.append((at, item_id, seq, kind, Decimal(delta).scaleb(-3),
                                Decimal(balance).scaleb(-3), reason, actor))
        tariff_line, unit = lines[n % len(lines)]
        entered = timezone.localdate(moments[0])
        item_rows.append((item_id, warehouse.pk, owners[n % len(owners)].pk, tariff_line,
                          f"Hàng mẫu {n % 97:02d} / sample goods {n % 97:02d}",
                          f"{code}-{n + 1:06d}/1", unit or "KGM", Decimal(balance).scaleb(-3),
                          Decimal(0), entered, entered + timedelta(days=365), now, now))
    ledger_rows.sort(key=lambda r: (r[0], r[1], r[2]))  # appended in time order, as in life
    started = time.perf_counter()
    with transaction.atomic():
        insert_rows(StockItem, ["id", "warehouse_id", "owner_id", "tariff_line_id",
                                "description", "lot", "unit", "quantity", "reserved",
                                "entered_on", "term_until", "created_at", "updated_at"],
                    item_rows)
        insert_rows(StockMovement, ["at", "item_id", "warehouse_id", "kind", "quantity",
                                    "balance_after", "reason", "actor_id"],
                    [(at, item_id, warehouse.pk, kind, delta, balance, reason, actor)
                     for at, item_id, _seq, kind, delta, balance, reason, actor in ledger_rows])
    copied = time.perf_counter() - started
    # What autovacuum would do after a bulk load: statistics current, visibility map set.
    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        for table in (StockItem._meta.db_table, StockMovement._meta.db_table):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return {"warehouse": warehouse, "copy_seconds": copied, "items": items}


def check_ledger(warehouse) -> dict:
    """Every item of the warehouse: quantity = sum of its rows, balance_after = running sum,
    never negative."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT count(*) FILTER (WHERE i.quantity <> COALESCE(m.total, 0)), count(*)
            FROM warehouses_stockitem i
            LEFT JOIN (SELECT item_id, SUM(quantity) AS total FROM warehouses_stockmovement
                       GROUP BY item_id) m ON m.item_id = i.id
            WHERE i.warehouse_id = %s""", [warehouse.pk])
        bad_items, items = cursor.fetchone()
        cursor.execute("""
            SELECT count(*), count(*) FILTER (WHERE balance_after <> running OR running < 0)
            FROM (SELECT balance_after, SUM(quantity) OVER (PARTITION BY item_id
                                                            ORDER BY at, id) AS running
                  FROM warehouses_stockmovement WHERE warehouse_id = %s) t""", [warehouse.pk])
        rows, bad_rows = cursor.fetchone()
    return {"items": items, "bad_items": bad_items, "rows": rows, "bad_rows": bad_rows}


def time_report(warehouse, month: date, runs: int) -> dict:
    """monthly_report in process: one warm-up, then `runs` timed calls; the raw GROUP BY the
    report issues, for reference; the totals cross-checked against the ledger."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from inspection.warehouses.reports import month_bounds, monthly_report

    rows = monthly_report(warehouse, month)
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        monthly_report(warehouse, month)
        samples.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        monthly_report(warehouse, month)
    start, end = month_bounds(month)
    raw = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            started = time.perf_counter()
            cursor.execute("""
                SELECT item_id, SUM(quantity) FILTER (WHERE at < %s),
                       SUM(quantity) FILTER (WHERE at >= %s AND quantity > 0),
                       SUM(quantity) FILTER (WHERE at >= %s AND quantity < 0)
                FROM warehouses_stockmovement WHERE warehouse_id = %s AND at < %s
                GROUP BY item_id""", [start, start, start, warehouse.pk, end])
            cursor.fetchall()
            raw.append((time.perf_counter() - started) * 1000)
        cursor.execute("""
            SELECT COALESCE(SUM(quantity) FILTER (WHERE at < %s), 0),
                   COALESCE(SUM(quantity) FILTER (WHERE at >= %s AND quantity > 0), 0),
                   COALESCE(-SUM(quantity) FILTER (WHERE at >= %s AND quantity < 0), 0),
                   count(*) FILTER (WHERE at < %s), count(*) FILTER (WHERE at >= %s)
            FROM warehouses_stockmovement WHERE warehouse_id = %s AND at < %s""",
                       [start, start, start, start, start, warehouse.pk, end])
        opening, entered, exited, before, during = cursor.fetchone()
    totals = (sum(r.opening for r in rows), sum(r.entered for r in rows),
              sum(r.exited for r in rows))
    return {"rows": len(rows), "median": statistics.median(samples), "min": min(samples),
            "max": max(samples), "raw": statistics.median(raw), "queries": len(queries),
            "totals_match": totals == (opening, entered, exited),
            "rows_before": before, "rows_during": during}


def http_report(url: str, token: str, code: str, month: date) -> dict:
    request = urllib.request.Request(f"{url}/api/v1/warehouses/{code}/report/?month={month:%Y-%m}",
                                     headers={"Authorization": f"Token {token}"})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
        status = response.status
    elapsed = (time.perf_counter() - started) * 1000
    return {"ms": elapsed, "status": status, "rows": len(json.loads(body)["rows"]),
            "bytes": len(body)}


def statuses(result: dict) -> tuple[int, int, int, str]:
    match = re.search(r"STATUS 201=(\d+) 409=(\d+) other=(\d+)", result["output"])
    other = re.search(r"FIRST-OTHER (.*)", result["output"])
    return (int(match.group(1)), int(match.group(2)), int(match.group(3)),
            other.group(1) if other else "")


def check_hot_item(item, answered_201: int, runs: int, connections: int) -> list[str]:
    """The hot item after the runs: quantity = sum of its ledger = start - withdrawals made,
    and the withdrawals' balance_after are start-1 ... start-n, each once."""
    from django.db import connection
    from django.db.models import Count, Max, Min, Sum

    from inspection.warehouses.models import StockMovement

    connection.close()  # a fresh connection after the runs
    item.refresh_from_db()
    ledger_sum = StockMovement.objects.filter(item=item).aggregate(s=Sum("quantity"))["s"]
    taken = StockMovement.objects.filter(item=item, kind="adjustment", quantity=-1).aggregate(
        n=Count("id"), distinct=Count("balance_after", distinct=True),
        low=Min("balance_after"), high=Max("balance_after"))
    other_rows = StockMovement.objects.filter(item=item).count() - taken["n"] - 1
    made = taken["n"]
    lines = [
        f"  quantity {item.quantity:,.3f} (start {HOT_START:,}), ledger sum {ledger_sum:,.3f}: "
        + ("equal" if item.quantity == ledger_sum else "DIFFERENT"),
        f"  withdrawal rows in the ledger: {made:,}; start - rows = {HOT_START - made:,} "
        + ("= quantity" if HOT_START - made == item.quantity else "!= QUANTITY"),
        f"  balance_after of the withdrawals: {taken['distinct']:,} distinct, "
        f"{taken['low']:,} ... {taken['high']:,}: "
        + ("start-n ... start-1, each once"
           if made and taken["distinct"] == made and taken["low"] == HOT_START - made
           and taken["high"] == HOT_START - 1 else "NOT start-n ... start-1"),
        f"  201s wrk received: {answered_201:,}; rows - 201s = {made - answered_201} "
        f"(requests in flight when wrk stopped, answered after it left: 0 to {connections} "
        f"per run, {runs} runs) "
        + ("ok" if 0 <= made - answered_201 <= runs * connections else "UNEXPLAINED"),
    ]
    if other_rows or item.reserved:
        lines.append(f"  UNEXPECTED: {other_rows} other ledger rows, reserved {item.reserved}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--movements", type=int, default=100_000, help="per warehouse")
    parser.add_argument("--items", default="2000,10000",
                        help="items the movements are spread over: one warehouse per number")
    parser.add_argument("--owners", type=int, default=20)
    parser.add_argument("--months", type=int, default=4)
    parser.add_argument("--runs", type=int, default=7, help="timed report runs")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--keep", action="store_true", help=f"leave {DB} behind")
    args = parser.parse_args()
    shapes = [int(n) for n in args.items.split(",")][:len(REPORT_WAREHOUSES)]
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    started = time.perf_counter()
    setup_database()
    os.environ.update(ENV)
    import django

    django.setup()
    from django.db import connection

    officer, token, owners = people(args.owners)
    item = hot_item(owners[0])
    months = month_starts(args.months)
    month = months[len(months) // 2]
    rng = random.Random(args.seed)
    ledgers = [load_ledger(code, officer, owners, movements=args.movements, items=items,
                           months=months, rng=rng)
               for code, items in zip(REPORT_WAREHOUSES, shapes, strict=False)]
    print(f"PostgreSQL, gunicorn -w 2, DEBUG off; set up in {time.perf_counter() - started:.0f} s")
    reports = []
    for loaded in ledgers:
        warehouse = loaded["warehouse"]
        check = check_ledger(warehouse)
        report = time_report(warehouse, month, args.runs)
        reports.append(report)
        print(f"monthly report of {warehouse.code}, {check['rows']:,} movements over "
              f"{check['items']:,} items ({check['rows'] / check['items']:.0f} per item), "
              f"{months[0]:%Y-%m} to {months[-1]:%Y-%m}, loaded by COPY in "
              f"{loaded['copy_seconds']:.1f} s:")
        print(f"  ledger: {check['bad_items']} items whose quantity is not the sum of their "
              f"rows, {check['bad_rows']} rows whose balance_after is not the running sum or is "
              "negative")
        print(f"  month {month:%Y-%m}: {report['rows_before']:,} rows before it, "
              f"{report['rows_during']:,} in it; {report['rows']:,} report rows, "
              f"{report['queries']} queries, totals "
              f"{'match the ledger' if report['totals_match'] else 'DO NOT MATCH THE LEDGER'}")
        print(f"  monthly_report() median {report['median']:.1f} ms over {args.runs} runs (min "
              f"{report['min']:.1f}, max {report['max']:.1f}; goal < 1000 ms); its GROUP BY alone "
              f"in raw SQL {report['raw']:.1f} ms")
    connection.close()

    body = json.dumps({"quantity": "-1", "reason": REASON}, ensure_ascii=False)
    script = WITHDRAW_LUA % {"body": body, "token": token}
    target = f"/api/v1/stock-items/{item.pk}/adjustments/"
    run = {"duration": args.duration, "connections": args.connections}
    answered = [0, 0, 0]  # 201, 409, other, over every run on the hot item
    first_other = ""

    def withdraw(url: str, **kwargs) -> dict:
        nonlocal first_other
        result = wrk(url + target, script, **kwargs)
        created, conflict, other, seen = statuses(result)
        for n, value in enumerate((created, conflict, other)):
            answered[n] += value
        first_other = first_other or seen
        result.update(created=created, conflict=conflict, other=other)
        return result

    ratios = []
    with gunicorn(ENV, PORT) as url:
        baseline(url, token, duration=2, connections=args.connections)  # warm-up
        withdraw(url, duration=2, connections=args.connections)
        print(f"withdrawals of 1 unit from one item ({HOT_START:,} units), wrk -t2 "
              f"-c{args.connections} -d{args.duration}s, every client on the same item:")
        for n in range(1, args.rounds + 1):
            bare = baseline(url, token, **run)
            hot = withdraw(url, **run)
            ratios.append(hot["rps"] / bare["rps"])
            problems = "; ".join(f"{name} socket errors: {r['socket_errors']}"
                                 for name, r in (("bare", bare), ("withdrawals", hot))
                                 if r["socket_errors"])
            print(f"  round {n}: bare POST {bare['rps']:7.1f} req/s (p50 {bare['p50']:.1f} ms, "
                  f"{bare['non2xx']} non-2xx); withdrawals {hot['rps']:7.1f} req/s (p50 "
                  f"{hot['p50']:.1f} ms, p99 {hot['p99']:.1f} ms; {hot['created']} x 201, "
                  f"{hot['conflict']} x 409, {hot['other']} other); ratio {ratios[-1]:.2f}x"
                  + (f"  [{problems}]" if problems else ""))
        over_http = [http_report(url, token, loaded["warehouse"].code, month)
                     for loaded in ledgers]
    ratios.sort()
    print(f"ratio withdrawals / bare POST: min {ratios[0]:.2f}x, median "
          f"{ratios[len(ratios) // 2]:.2f}x (goal >= 0.30x)")
    print(f"answers on the hot item, warm-up included: {answered[0]:,} x 201, {answered[1]} x 409, "
          f"{answered[2]} other" + (f" (first: {first_other})" if first_other else ""))
    for line in check_hot_item(item, answered[0], args.rounds + 1, args.connections):
        print(line)
    for loaded, report, http in zip(ledgers, reports, over_http, strict=True):
        code = loaded["warehouse"].code
        print(f"GET /api/v1/warehouses/{code}/report/?month={month:%Y-%m} once "
              f"({loaded['items']:,} items): {http['ms']:.0f} ms, HTTP {http['status']}, "
              f"{http['rows']:,} rows ({http['bytes'] / 1024:.0f} KiB JSON)"
              + ("" if http["rows"] == report["rows"] else "  ROW COUNT DIFFERS FROM THE CALL"))
    connection.close()
    if not args.keep:
        psql(f"DROP DATABASE IF EXISTS {DB}")
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    # bench/settings.py serves STATIC_ROOT = tempfile.gettempdir(), which whitenoise walks when
    # a worker boots: in a shared /tmp, a file another process deletes meanwhile kills the boot
    # ("Worker failed to boot"). A private, empty temporary folder for gunicorn and its children.
    ENV["TMPDIR"] = tempfile.mkdtemp(prefix="bench-warehouses-")
    try:
        main()
    finally:
        shutil.rmtree(ENV["TMPDIR"], ignore_errors=True)
