"""Inspection benchmark (issue: inspection and release).

With a million declarations in PostgreSQL (the demo history, the checks years of work leave
behind, the open work of the day):
1. the officers' queue page (/inspection/) and the queue API (/api/v1/checks/): p50 / p95 of
   sequential requests (one officer at a time: what an officer waits) for the team leader's
   whole queue, an officer's own work and each filter (goal: p95 <= 100 ms); then once more
   with 60,000 checks waiting in one team's queue (a stress far past any real backlog: the
   COUNT of a page and the border-gate filter grow with the queue);
2. claims per second through the API, POST /api/v1/checks/{id}/claim/, every request a
   different unassigned check, against the bare DRF POST that bench/submission.py measures,
   on the same gunicorn (-w 2, DEBUG off) in the same run, wrk -t2 -c16, in rounds
   (goal >= 0.5x).

    .venv/bin/python bench/inspection.py [--declarations 1000000] [--reuse] [--keep]

Seeding a million declarations takes about ten minutes: --keep leaves the database
`customs_bench_inspection` behind and --reuse starts from it (the claim pool is made anew
each run). Needs PostgreSQL on 127.0.0.1 and wrk. Not a test: nothing here asserts a time.
"""

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    PYTHON,
    ROOT,
    baseline,
    bench_env,
    database_exists,
    gunicorn,
    latencies,
    psql,
    wrk,
)

DB = "customs_bench_inspection"
PORT = 8032
ENV = bench_env(DB)
POOL = 60_000  # claimable checks: four slices (warm-up + three rounds) of 15,000

CLAIM_LUA = """
wrk.method = "POST"
wrk.headers["Authorization"] = "Token %(token)s"
wrk.headers["Content-Type"] = "application/json"
local threads = 0
function setup(thread)
  thread:set("offset", threads)
  threads = threads + 1
end
function init(args)
  sent = 0
end
function request()
  local id = %(first)d + offset + sent * 2
  sent = sent + 1
  return wrk.format(nil, "/api/v1/checks/" .. id .. "/claim/")
end
done = function(summary, latency, requests)
  io.write(string.format("NON2XX %%d\\n", summary.errors.status))
end
"""

# Scenarios: (label, path of the page, path of the API, who asks)
SCENARIOS = [
    ("team leader: the team's queue", "/inspection/?scope=team",
     "/api/v1/checks/?scope=team", "teamlead"),
    ("officer: my work", "/inspection/?scope=mine", "/api/v1/checks/?scope=mine", "doccheck"),
    ("kind + border gate", "/inspection/?scope=team&kind=doc_check&border_gate=MCBL1",
     "/api/v1/checks/?scope=team&kind=doc_check&border_gate=MCBL1", "teamlead"),
    ("past the limit, branch", "/inspection/?scope=all&overdue=on",
     "/api/v1/checks/?scope=all&overdue=true", "teamlead"),
    ("number prefix, branch", "/inspection/?scope=all&number=10",
     "/api/v1/checks/?scope=all&number=10", "teamlead"),
    ("third page, branch", "/inspection/?scope=all&page=3",
     "/api/v1/checks/?scope=all&page=3&page_size=25", "teamlead"),
]


def seed(declarations: int) -> None:
    psql(f"DROP DATABASE IF EXISTS {DB}", f"CREATE DATABASE {DB}")
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=ENV, check=True)
    subprocess.run([PYTHON, "manage.py", "seed_demo", "--declarations", str(declarations)],
                   cwd=ROOT, env=ENV, check=True)


def history_checks() -> int:
    """The checks of the history as the teams would have left them: one done check for every
    declaration that went through a document check or an inspection, by an officer of the
    team covering its gate (INSERT ... SELECT over the event log)."""
    from django.db import connection

    from inspection.models import Check, TeamMember

    if Check.objects.filter(state="done").count() > 1000:
        return 0
    officers: dict[tuple[int, str], list[int]] = {}
    for team_id, officer_id, role in TeamMember.objects.values_list("team_id", "officer_id",
                                                                   "officer__role"):
        kind = {"doc_check": "doc_check", "inspection": "inspection"}.get(role)
        if kind:
            officers.setdefault((team_id, kind), []).append(officer_id)
    pick = " ".join(
        f"WHEN t.team_id = {team} AND e.to_state = '{kind}' THEN "
        f"(ARRAY{ids})[1 + (e.declaration_id % {len(ids)})]"
        for (team, kind), ids in officers.items())
    with connection.cursor() as cursor:
        cursor.execute(f"""
            INSERT INTO inspection_check (declaration_id, enterprise_id, border_gate_id, kind,
                state, team_id, officer_id, points, version, opened_at, assigned_at, started_at,
                decided_at, limit_seconds, due_at, outcome, conclusion, internal_note, method)
            SELECT e.declaration_id, d.enterprise_id, d.border_gate_id, e.to_state, 'done',
                t.team_id,
                CASE {pick} END,
                10 + 5 * (SELECT count(*) FROM declarations_goodsline l
                          WHERE l.declaration_id = e.declaration_id),
                3, e.at - interval '20 minutes', e.at - interval '15 minutes', e.at,
                e.at + interval '50 minutes',
                CASE e.to_state WHEN 'doc_check' THEN 7200 ELSE 28800 END,
                e.at + CASE e.to_state WHEN 'doc_check' THEN interval '2 hours'
                                       ELSE interval '8 hours' END,
                CASE WHEN d.state IN ('violation', 'seized') THEN 'violation' ELSE 'conform' END,
                '', '', CASE e.to_state WHEN 'inspection' THEN 'full' ELSE '' END
            FROM declarations_declarationevent e
            JOIN declarations_declaration d ON d.id = e.declaration_id
            JOIN (SELECT DISTINCT ON (bordergate_id) bordergate_id, team_id
                  FROM inspection_team_border_gates ORDER BY bordergate_id, team_id) t
              ON t.bordergate_id = d.border_gate_id
            WHERE e.to_state IN ('doc_check', 'inspection')
              AND d.state NOT IN ('doc_check', 'inspection', 'violation')""")
        inserted = cursor.rowcount
        cursor.execute("ANALYZE inspection_check")
    return inserted


def vacuum_analyze() -> None:
    """What autovacuum does to a live database between bulk changes: dead index entries of a
    previous run's pool gone, statistics current."""
    from django.db import connection

    connection.ensure_connection()
    connection.connection.autocommit = True
    with connection.cursor() as cursor:
        for table in ("inspection_check", "inspection_checkevent", "declarations_declaration"):
            cursor.execute(f"VACUUM ANALYZE {table}")


def claim_pool(count: int) -> int:
    """`count` unassigned document checks waiting in GSKT1's queue, on declarations through
    its border gates long out of the gate (a claim reads and writes the check only); returns
    the first id (the ids are consecutive)."""
    from django.db import connection

    from inspection.models import Team

    team = Team.objects.get(code="GSKT1")
    with connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO inspection_check (declaration_id, enterprise_id, border_gate_id, kind,
                state, team_id, points, version, opened_at, limit_seconds, due_at, outcome,
                conclusion, internal_note, method)
            SELECT id, enterprise_id, border_gate_id, 'doc_check', 'open', %s, 25, 1, now(),
                   7200, now() + interval '2 hours', '', '', '', ''
            FROM (SELECT id, enterprise_id, border_gate_id FROM declarations_declaration
                  WHERE state = 'gate_out' AND border_gate_id IN (
                      SELECT bordergate_id FROM inspection_team_border_gates WHERE team_id = %s)
                  ORDER BY id LIMIT %s) d
            ORDER BY id RETURNING id""", [team.pk, team.pk, count])
        ids = sorted(row[0] for row in cursor.fetchall())
        cursor.execute("ANALYZE inspection_check")
    assert len(ids) == count and ids[-1] - ids[0] == count - 1, "claim pool ids not consecutive"
    return ids[0]


def credentials() -> dict[str, dict]:
    """Token and session cookie of the demo team leader and document checker of GSKT1."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from rest_framework.authtoken.models import Token

    from customs_core.models import User

    found = {}
    for username in ("teamlead", "doccheck"):
        user = User.objects.get(username=username)
        session = SessionStore()
        session.update({SESSION_KEY: str(user.pk),
                        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                        HASH_SESSION_KEY: user.get_session_auth_hash()})
        session.create()
        found[username] = {"token": Token.objects.get_or_create(user=user)[0].key,
                           "cookie": f"sessionid={session.session_key}; django_language=vi"}
    return found


def measure_queue(url: str, who: dict, count: int, scenarios=SCENARIOS) -> list[tuple]:
    rows = []
    for label, page, api, username in scenarios:
        page_figures = latencies(url, page, {"Cookie": who[username]["cookie"]}, count=count)
        api_figures = latencies(url, api, {"Authorization": f"Token {who[username]['token']}"},
                                count=count)
        rows.append((label, page_figures, api_figures))
    return rows


def print_queue(title: str, rows) -> float:
    print(title)
    print(f"  {'scenario':32s} {'page p50':>9s} {'page p95':>9s} {'API p50':>9s} {'API p95':>9s}")
    worst = 0.0
    for label, page, api in rows:
        bad = [s for s in (*page["statuses"], *api["statuses"]) if s != 200]
        print(f"  {label:32s} {page['p50']:7.1f}ms {page['p95']:7.1f}ms {api['p50']:7.1f}ms "
              f"{api['p95']:7.1f}ms{'  NON-200: ' + str(bad) if bad else ''}")
        worst = max(worst, page["p95"], api["p95"])
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--reuse", action="store_true", help=f"start from an existing {DB}")
    parser.add_argument("--keep", action="store_true", help=f"leave {DB} behind")
    parser.add_argument("--samples", type=int, default=200, help="requests per scenario")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    if not (args.reuse and database_exists(DB)):
        seed(args.declarations)
    os.environ.update(ENV)
    import django

    django.setup()
    from django.db import connection

    from declarations.models import Declaration
    from inspection.choices import OPEN_CHECK_STATES
    from inspection.models import Check

    # A previous run's claim pool (no check is open on a declaration long out of the gate).
    Check.objects.filter(state="open", declaration__state="gate_out").delete()
    started = time.perf_counter()
    history = history_checks()
    vacuum_analyze()
    who = credentials()
    declarations = Declaration.objects.count()
    open_checks = Check.objects.filter(state__in=OPEN_CHECK_STATES)
    print(f"PostgreSQL, gunicorn -w 2, DEBUG off: {declarations:,} declarations, "
          f"{Check.objects.count():,} checks ({history:,} history rows added in "
          f"{time.perf_counter() - started:.0f} s), {open_checks.count():,} open "
          f"({open_checks.filter(officer__isnull=True).count():,} waiting for an officer)")
    connection.close()
    with gunicorn(ENV, PORT) as url:
        rows = measure_queue(url, who, args.samples)
        worst = print_queue(f"queue, {args.samples} sequential requests each:", rows)
        first = claim_pool(POOL)
        vacuum_analyze()  # as autovacuum would, between a bulk change and the next reads
        connection.close()
        crowded = measure_queue(url, who, args.samples // 2, SCENARIOS[:1] + SCENARIOS[2:3])
        worst_crowded = print_queue(f"the same with {POOL:,} more checks waiting in GSKT1's "
                                    "queue:", crowded)
        print(f"worst p95: {worst:.1f} ms, {worst_crowded:.1f} ms with the crowded queue "
              "(goal <= 100 ms)")
        token = who["doccheck"]["token"]
        slice_size = POOL // (args.rounds + 1)
        run = {"duration": args.duration, "connections": args.connections}
        baseline(url, token, duration=2, connections=args.connections)  # warm-up
        wrk(url, CLAIM_LUA % {"token": token, "first": first}, duration=2,
            connections=args.connections)
        ratios = []
        print(f"claims: wrk -t2 -c{args.connections} -d{args.duration}s, each claim a "
              "different check")
        for n in range(1, args.rounds + 1):
            bare = baseline(url, token, **run)
            claims = wrk(url, CLAIM_LUA % {"token": token, "first": first + n * slice_size},
                         **run)
            ratios.append(claims["rps"] / bare["rps"])
            print(f"  round {n}: bare POST {bare['rps']:7.1f} req/s (p50 {bare['p50']:.1f} ms, "
                  f"{bare['non2xx']} non-2xx); claim {claims['rps']:7.1f} req/s (p50 "
                  f"{claims['p50']:.1f} ms, p99 {claims['p99']:.1f} ms, {claims['non2xx']} "
                  f"non-2xx); ratio {ratios[-1]:.2f}x")
    ratios.sort()
    print(f"ratio claims / bare POST: min {ratios[0]:.2f}x, median "
          f"{ratios[len(ratios) // 2]:.2f}x (goal >= 0.50x)")
    Check.objects.filter(pk__gte=first, pk__lt=first + POOL).delete()
    connection.close()
    if not args.keep:
        psql(f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
