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
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "customs_bench"
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
PORT = 8031
ENV = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": DATABASE_URL,
       "CELERY_BROKER_URL": "", "DEBUG": "false"}
ENV.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
PYTHON = sys.executable

LUA = """
wrk.method = "POST"
wrk.body = [[%(body)s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token %(token)s"
done = function(summary, latency, requests)
  io.write(string.format("NON2XX %%d\\n", summary.errors.status))
end
"""


def sh(*args, **kwargs):
    return subprocess.run(args, check=True, cwd=ROOT, env=ENV, **kwargs)


def setup_database() -> str:
    sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {DB}",
       "-c", f"CREATE DATABASE {DB}", capture_output=True)
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


def start_gunicorn() -> subprocess.Popen:
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "customs_core.wsgi:application", "-w", "2", "-b",
         f"127.0.0.1:{PORT}", "--log-level", "warning"], cwd=ROOT, env=ENV)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def run_wrk(path: str, body: dict, token: str, duration: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % {"body": json.dumps(body), "token": token})
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency",
                          "-s", script.name, f"http://127.0.0.1:{PORT}{path}"],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)

    def millis(label):
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": millis("50"), "p99": millis("99"),
            "non2xx": int(re.search(r"NON2XX (\d+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1))}


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
    sys.path.insert(0, str(ROOT))
    os.environ.update(ENV)
    import django

    django.setup()
    from declarations.testing import LINES, declaration_payload

    token = setup_database()
    lines = [*LINES, dict(LINES[0], hs_code="08081000", description="Táo tươi"),
             dict(LINES[1], hs_code="09023090", description="Chè đen")]
    declaration = declaration_payload(lines=lines)
    baseline_body = {"reference": "HX-2026-118", "amount": "3980.00"}
    server = start_gunicorn()
    try:
        run_wrk("/bench/baseline/", baseline_body, token, 2, args.connections)  # warm-up
        run_wrk("/api/v1/declarations/", declaration, token, 2, args.connections)
        baseline = run_wrk("/bench/baseline/", baseline_body, token, args.duration,
                           args.connections)
        real = run_wrk("/api/v1/declarations/", declaration, token, args.duration,
                       args.connections)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)
    print(f"gunicorn -w 2, wrk -t2 -c{args.connections} -d{args.duration}s, PostgreSQL")
    for name, r in (("bare DRF POST, 1 INSERT", baseline),
                    ("POST declaration, 5 lines", real)):
        print(f"{name:28s} {r['rps']:8.1f} req/s  p50 {r['p50']:7.1f} ms  p99 {r['p99']:7.1f} ms"
              f"  ({r['requests']} requests, {r['non2xx']} non-2xx)")
    print(f"ratio declaration / baseline: {real['rps'] / baseline['rps']:.2f}x (goal >= 0.50x)")
    print(f"detail endpoint queries by number of lines: {detail_query_counts()}")
    sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"DROP DATABASE IF EXISTS {DB}",
       capture_output=True)


if __name__ == "__main__":
    main()
