"""What the HTTP benchmarks share: a database of their own, gunicorn (-w 2, DEBUG off, the
bench settings with the bare baseline endpoint), wrk with a Lua script, the bare DRF POST
baseline, sequential latency samples. Not a test: nothing here asserts a time."""

import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable

# The bare baseline: token auth, validation, one INSERT (bench/baseline/views.py).
BASELINE_PATH = "/bench/baseline/"
BASELINE_BODY = {"reference": "HX-2026-118", "amount": "3980.00"}
POST_LUA = """
wrk.method = "POST"
wrk.body = [[%(body)s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token %(token)s"
done = function(summary, latency, requests)
  io.write(string.format("NON2XX %%d\\n", summary.errors.status))
end
"""


def bench_env(database: str, **extra) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings",
           "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}",
           "CELERY_BROKER_URL": "", "DEBUG": "false", **extra}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def psql(*commands: str, database: str = "postgres") -> None:
    args = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-d", database]
    for command in commands:
        args += ["-c", command]
    subprocess.run(args, check=True, capture_output=True)


def database_exists(name: str) -> bool:
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc",
                          f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                         capture_output=True, text=True, check=True).stdout
    return out.strip() == "1"


@contextmanager
def gunicorn(env: dict, port: int, workers: int = 2):
    """gunicorn serving the bench settings on 127.0.0.1:port until the block ends."""
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "customs_core.wsgi:application", "-w", str(workers), "-b",
         f"127.0.0.1:{port}", "--log-level", "warning"], cwd=ROOT, env=env)
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("gunicorn did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def _millis(out: str, label: str) -> float:
    match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)", out, re.M)
    value, unit = float(match.group(1)), match.group(2)
    return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value


def wrk(url: str, script: str, *, duration: int, connections: int) -> dict:
    """wrk -t2 with a Lua script that writes "NON2XX n" when done: rate, p50, p99, errors,
    socket errors (connect/read/write/timeout, "" when none) and wrk's whole output (for what
    else the script writes)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as file:
        file.write(script)
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency",
                              "-s", file.name, url], capture_output=True, text=True,
                             check=True).stdout
    finally:
        os.unlink(file.name)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": _millis(out, "50"), "p99": _millis(out, "99"),
            "non2xx": int(re.search(r"NON2XX (\d+)", out).group(1)),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "socket_errors": socket_errors.group(1).strip() if socket_errors else "",
            "output": out}


def baseline(base_url: str, token: str, *, duration: int, connections: int) -> dict:
    """The bare DRF POST (one INSERT) on the same server: the denominator of every ratio."""
    script = POST_LUA % {"body": json.dumps(BASELINE_BODY), "token": token}
    return wrk(base_url + BASELINE_PATH, script, duration=duration, connections=connections)


def post_lua(body: dict, token: str) -> str:
    return POST_LUA % {"body": json.dumps(body), "token": token}


def latencies(base_url: str, path: str, headers: dict, *, count: int, warmup: int = 10) -> dict:
    """p50 / p95 / max of `count` sequential GETs on one kept-alive connection (one user at a
    time: the latency an officer sees), after `warmup` unmeasured ones."""
    import http.client

    host, port = base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    samples, statuses = [], set()
    for n in range(warmup + count):
        start = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        elapsed = (time.perf_counter() - start) * 1000
        statuses.add(response.status)
        if n >= warmup:
            samples.append(elapsed)
    connection.close()
    cuts = statistics.quantiles(samples, n=100)
    return {"p50": statistics.median(samples), "p95": cuts[94], "max": max(samples),
            "statuses": sorted(statuses)}
