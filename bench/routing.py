"""Routing benchmark (issue: risk scoring and channel routing).

1. In-process scoring rate on one core: the pure scorer over pre-read facts with the default
   ruleset (goal >= 1,000 declarations/s), and the whole routing service per declaration
   (facts read, assessment, two transitions) for reference.
2. Through Celery + Redis with one worker process (-P solo): the real routing task against a
   no-op task on the same queue with the same acks, in the same run, over several rounds
   (goal >= 0.5x).

    .venv/bin/python bench/routing.py [--declarations 2000] [--rounds 3]

Needs PostgreSQL and Redis on 127.0.0.1; creates and drops the database `customs_bench_routing`
and uses Redis database 11. Not a test: nothing here asserts a time.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = "customs_bench_routing"
BROKER = "redis://127.0.0.1:6379/11"
ENV = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings",
       "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}", "CELERY_BROKER_URL": BROKER,
       "DEBUG": "false"}
ENV.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def psql(*commands):
    args = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q"]
    for command in commands:
        args += ["-c", command]
    subprocess.run(args, check=True, capture_output=True)


def setup(count: int):
    psql(f"DROP DATABASE IF EXISTS {DB}", f"CREATE DATABASE {DB}")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=ENV,
                   check=True)
    os.environ.update(ENV)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("seed_demo", declarations=3000, verbosity=0)  # history: violations, rules
    from customs_core.models import User
    from declarations import services
    from declarations.testing import declaration_payload, parse, publish_rates

    publish_rates()
    user = User.objects.get(username="declarant")
    ids = []
    from declarations.testing import LINES

    lines = [*LINES, dict(LINES[0], hs_code="08081000"), dict(LINES[1], hs_code="27101943")]
    for n in range(count):
        draft = services.declaration_create_draft(user=user, data=parse(declaration_payload(
            lines=lines, invoice_number=f"R-{n}")))
        services.declaration_submit(declaration=draft, user=user)
        ids.append(draft.pk)
    return ids


def scoring_rate(ids) -> tuple[float, float]:
    from declarations.models import Declaration
    from declarations.risk.facts import facts_for
    from declarations.risk.scoring import evaluate
    from declarations.risk.services import policy_of, ruleset_active, specs_of

    ruleset = ruleset_active()
    rules, policy = specs_of(ruleset.rules.all()), policy_of(ruleset)
    declarations = list(Declaration.objects.filter(pk__in=ids).select_related("enterprise"))
    facts = list(facts_for(declarations).values())
    start = time.perf_counter()
    rounds = 0
    while time.perf_counter() - start < 3:
        for item in facts:
            evaluate(item, rules, policy)
        rounds += 1
    pure = rounds * len(facts) / (time.perf_counter() - start)
    return pure, len(rules)


def service_rate(ids) -> float:
    from declarations.risk.services import declaration_route

    sample = ids[:200]
    start = time.perf_counter()
    for pk in sample:
        declaration_route(declaration_id=pk)
    return len(sample) / (time.perf_counter() - start)


def drain(send, ids, redis_client, queue="risk", done=lambda: True) -> float:
    """Start timing, publish one message per id, wait until the worker has acked them all and
    `done()` holds. Between the worker's BRPOP and its record in "unacked" a message is in
    neither: an empty queue alone ended an earlier version of this loop one message early
    ("only 799 of 800 routed"), so routing also waits for every declaration to be routed."""
    start = time.perf_counter()
    for pk in ids:
        send(pk)
    while True:  # done() (a query) only once the queue looks drained: no load while it runs
        if redis_client.llen(queue) or redis_client.hlen("unacked"):
            time.sleep(0.01)
        elif done():
            break
    return len(ids) / (time.perf_counter() - start)


def celery_rates(ids, rounds: int) -> list[tuple[float, float]]:
    """(no-op rate, routing rate) per round, each round on its own waiting declarations."""
    import redis

    from bench.baseline.tasks import noop_task
    from declarations.models import Declaration
    from declarations.risk.tasks import declaration_route_task

    client = redis.Redis.from_url(BROKER)
    client.flushdb()
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "customs_core", "worker", "-P", "solo", "-c", "1",
         "-Q", "risk", "-n", "bench@%h", "--without-gossip", "--without-mingle",
         "--without-heartbeat", "-l", "WARNING"], cwd=ROOT, env=ENV)
    results = []
    try:
        time.sleep(4)  # worker start-up is not what is measured
        size = len(ids) // rounds
        for n in range(rounds):
            batch = ids[n * size:(n + 1) * size]

            def all_routed(batch=batch):
                return not Declaration.objects.filter(pk__in=batch, state="submitted").exists()

            noop = drain(lambda pk: noop_task.apply_async((pk,), queue="risk"), batch, client)
            real = drain(lambda pk: declaration_route_task.delay(pk, 0), batch, client,
                         done=all_routed)
            results.append((noop, real))
    finally:
        worker.terminate()
        worker.wait(timeout=20)
    return results


def main():
    parser = argparse.ArgumentParser(description="routing benchmark")
    parser.add_argument("--declarations", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    ids = setup(args.declarations)
    pure, rule_count = scoring_rate(ids)
    # The service and the Celery rounds each need declarations still waiting: split the set.
    service = service_rate(ids[:200])
    rounds = celery_rates(ids[200:], args.rounds)
    print(f"declarations: {args.declarations} (5 lines each), rules: {rule_count}")
    print(f"in-process scoring (pure, one core)   {pure:10.0f} declarations/s  (goal >= 1,000)")
    print(f"in-process routing service (with DB)  {service:10.0f} declarations/s")
    for n, (noop, real) in enumerate(rounds, start=1):
        print(f"round {n}: Celery + Redis, 1 worker: no-op {noop:6.0f} tasks/s, routing "
              f"{real:6.0f} declarations/s, ratio {real / noop:.2f}x")
    ratios = sorted(real / noop for noop, real in rounds)
    print(f"ratio routing / no-op: min {ratios[0]:.2f}x, median {ratios[len(ratios) // 2]:.2f}x "
          f"(goal >= 0.50x)")
    from django.db import connections

    connections.close_all()
    psql(f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
