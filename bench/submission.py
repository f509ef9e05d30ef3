"""Submission benchmark (issue: declarations end to end).

POST /api/v1/declarations/ with a 5-line declaration (validation, tariff and exchange-rate
lookups, duties for every line, 1 + 5 + audit rows) against a bare DRF POST that validates and
does one INSERT, both served by the same gunicorn (-w 2, sync, DEBUG off) on PostgreSQL, in the
same run. Prints both rates, p50/p99 and the ratio (goal >= 0.5x), then checks that the detail
endpoint's query count does not grow with the number of goods lines.

    .venv/bin/python bench/submission.py [--duration 10] [--connections 16]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and wrk (apt-get install -y wrk). Creates
and drops its own database `customs_bench`. Not a test: nothing here asserts a time.
"""

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import PYTHON, ROOT, baseline, bench_env, gunicorn, post_lua, psql, wrk

DB = "customs_bench"
PORT = 8031
ENV = bench_env(DB)


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, cwd=ROOT, env=ENV, **kwargs)


def setup_database() -> str:
    psql(f"DROP DATABASE IF EXISTS {DB}", f"CREATE DATABASE {DB}")
    sh(PYTHON, "manage.py", "migrate", "-v0")
    script = """
import django; django.setup()
from customs_core.reference_data import reference_data_load
from customs_core.testing.factories import DeclarantFactory
from declarations.testing import publish_rates
from rest_framework.authtoken.models import Token
reference_data_load(); publish_rates()
user = DeclarantFactory(username="bench")
print(Token.objects.create(user=user).key)
"""
    out = sh(PYTHON, "-c", script, capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1]


def detail_query_counts() -> str:
    script = """
import django; django.setup()
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from customs_core.models import User
from declarations import services
from declarations.testing import LINES, declaration_payload, parse
user = User.objects.get(username="bench")
client = APIClient(); client.force_authenticate(user)
counts = {}
for n in (1, 5, 50):
    lines = [dict(LINES[0])] * n
    total = str(1500 * n)
    d = services.declaration_create_draft(user=user, data=parse(declaration_payload(
        lines=lines, total_invoice_value=total)))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/api/v1/declarations/{d.pk}/").status_code == 200
    counts[n] = len(ctx.captured_queries)
print(counts)
"""
    return sh(PYTHON, "-c", script, capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    os.environ.update(ENV)
    import django

    django.setup()
    from declarations.testing import LINES, declaration_payload

    token = setup_database()
    lines = [*LINES, dict(LINES[0], hs_code="08081000", description="Táo tươi"),
             dict(LINES[1], hs_code="09023090", description="Chè đen")]
    declaration = post_lua(declaration_payload(lines=lines), token)
    run = {"duration": args.duration, "connections": args.connections}
    with gunicorn(ENV, PORT) as url:
        baseline(url, token, duration=2, connections=args.connections)  # warm-up
        wrk(url + "/api/v1/declarations/", declaration, duration=2,
            connections=args.connections)
        bare = baseline(url, token, **run)
        real = wrk(url + "/api/v1/declarations/", declaration, **run)
    print(f"gunicorn -w 2, wrk -t2 -c{args.connections} -d{args.duration}s, PostgreSQL")
    for name, r in (("bare DRF POST, 1 INSERT", bare),
                    ("POST declaration, 5 lines", real)):
        print(f"{name:28s} {r['rps']:8.1f} req/s  p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms"
              f"  ({r['requests']} requests, {r['non2xx']} non-2xx)")
    print(f"ratio declaration / baseline: {real['rps'] / bare['rps']:.2f}x (goal >= 0.50x)")
    print(f"detail endpoint queries by number of lines: {detail_query_counts()}")
    psql(f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
