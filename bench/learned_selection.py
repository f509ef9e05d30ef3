"""Learned selection benchmark (issue 19: risk profiles, a trained model, backtests).

1. Profile rebuild and model training, pure (risk/learning), on a generated history of
   1,000,000 declarations with 100,000 inspected. The history is `synthetic.history` of
   `--generate` declarations over 365 / tiles days, tiled (copied with new ids, each tile moved
   that many days later) up to `--declarations` over 365 days: generating 1M takes minutes of
   Python, and the generated world (HS codes, enterprises, declarants, partners, gates) has the
   same size at any n, so the tables and the matrix have the size a generated 1M would give.
   The inspected are drawn at random (10%, a seeded sample: not a hash of the id, which would
   put them all in one of the model's folds). Timed, the median of `--rounds`:
   - `profiles_fit` over the inspected, against one plain pass over the same rows counting
     violations per enterprise in a dict (the least a rebuild must do);
   - `model_train` over the inspected with `seen` = every declaration (the label-free
     unit-value statistics), against LightGBM alone (Dataset + train, the same parameters and
     rounds) on the same feature matrix: the ratio is our featurizing's overhead; then where
     model_train's time goes.
2. In-process scoring rate on one core (os.sched_setaffinity): the live scorer
   (`scoring.evaluate`) with the default ruleset alone, against the same ruleset with the two
   learned criteria of `backtest_selection` (profile, 40 points; model, 80 points), whose inputs
   come from `case_of` + `learned_inputs` per routing batch of 200 (as `learned.learned_for`
   does) with the model of part 1 active, on `--score` declarations that were not inspected;
   rounds alternate so that the machine's drift falls on both (goal >= 1,000 declarations/s
   with the model); then batches of 1 (routing when declarations arrive one at a time), where
   the time goes, and one `predict` call in a child process allowed on every core (as a worker
   runs) with LightGBM's default threads and with num_threads=1.
3. `--database`: the services on PostgreSQL, end to end: `learned.profiles_rebuild()` and
   `learned.risk_model_train()` (outcomes from CheckOutcome, facts through facts_for in
   chunks), against one SELECT of the outcomes plus one plain read of the same declarations'
   facts (their rows, lines and enterprises, no Python per row); then where each service's
   time goes. The database is the demo history as bench/reporting.py seeds it (`seed_demo`,
   ~4 minutes for 100k here; 1M as nine time-shifted copies of the 100k in SQL, ~10 minutes
   more); `--database-size` (100000 by default: seeding 1M and measuring it takes over 15
   minutes), `--keep` leaves `customs_bench_learned_100k` (and `_1m`) behind and `--reuse`
   starts from them (a 1M run reuses a kept 100k as its source).

    .venv/bin/python bench/learned_selection.py [--declarations 1000000] [--inspected 100000]
        [--generate 200000] [--score 20000] [--rounds 3]
        [--database] [--database-size 100000] [--reuse] [--keep] [--no-pure]

Not a test: nothing here asserts a time.
"""

import argparse
import dataclasses
import gc
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, bench_env, database_exists, psql  # noqa: E402

WINDOW_DAYS = 365
BATCH = 200  # a routing batch (services.declarations_route)


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    import django

    django.setup()


def median_seconds(function: Callable[[], object], rounds: int) -> tuple[float, object]:
    """Median seconds of `rounds` calls, and the last call's result; each call starts after a
    full garbage collection (one falling inside a call walks the whole history's objects)."""
    times, result = [], None
    for _ in range(rounds):
        gc.collect()
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


@contextmanager
def clocked(owner, name: str, seconds: dict, bucket: Callable[[dict], str] | None = None):
    """While the block runs, `owner.name` adds its seconds to `seconds[bucket]` (its name, or
    what `bucket` says from the call's keyword arguments): where the time goes inside a call
    without editing what is measured."""
    original = getattr(owner, name)

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            key = bucket(kwargs) if bucket else name
            seconds[key] = seconds.get(key, 0.0) + time.perf_counter() - started

    setattr(owner, name, timed)
    try:
        yield
    finally:
        setattr(owner, name, original)


# --- the generated history -------------------------------------------------------------------
def history(total: int, generate: int, inspected: int):
    """`total` cases over WINDOW_DAYS (`generate` generated, then tiled), the inspected
    (case, violation) pairs, the generated block's cases never inspected (the ones to score:
    their `ref` Facts are their own, a copy's are its original's), the number of tiles and the
    seconds it took."""
    from declarations.risk.learning import synthetic

    started = time.perf_counter()
    tiles = -(-total // generate)
    span = WINDOW_DAYS // tiles
    cases, outcomes, _planted = synthetic.history(generate, days=span)
    every = list(cases)
    for tile in range(1, tiles):
        shift = timedelta(days=tile * span)
        for case in cases[:total - len(every)]:
            copy = dataclasses.replace(case, id=f"{tile + 1}{case.id[1:]}", on=case.on + shift)
            every.append(copy)
            outcomes[copy.id] = outcomes[case.id]
    chosen = sorted(random.Random(19).sample(range(len(every)), inspected))
    labelled = [(every[i], outcomes[every[i].id].violation) for i in chosen]
    taken = set(chosen)
    fresh = [case for i, case in enumerate(every[:generate]) if i not in taken]
    return every, labelled, fresh, tiles, time.perf_counter() - started


# --- 1. rebuild and training -----------------------------------------------------------------
def counting_pass(labelled) -> dict:
    """The least a profile rebuild must do: one pass counting violations per enterprise."""
    counts: dict[str, list[int]] = {}
    for case, violation in labelled:
        c = counts.get(case.enterprise)
        if c is None:
            counts[case.enterprise] = [1 if violation else 0, 1]
        else:
            c[0] += 1 if violation else 0
            c[1] += 1
    return counts


def lightgbm_alone(matrix, labels, featurizer):
    """LightGBM on a ready matrix: model_train's last step, nothing of ours."""
    import lightgbm

    from declarations.risk.learning.model import PARAMS, ROUNDS, _safe

    dataset = lightgbm.Dataset(matrix, labels, feature_name=[_safe(n) for n in featurizer.names],
                               categorical_feature=featurizer.categorical or "auto",
                               free_raw_data=True)
    return lightgbm.train(PARAMS, dataset, num_boost_round=ROUNDS)


def measure_fit(every, labelled, rounds: int) -> dict:
    """The rebuild and the training, their baselines, and where model_train's time goes (the
    functions it calls, clocked during the measured rounds: means per round)."""
    import lightgbm
    import numpy as np

    from declarations.risk.learning import model as model_module
    from declarations.risk.learning.profiles import profiles_fit

    out = {}
    out["counting"], _ = median_seconds(lambda: counting_pass(labelled), rounds)
    out["profiles"], profiles = median_seconds(lambda: profiles_fit(labelled), rounds)
    out["profile_values"] = sum(len(table) for table in profiles.tables.values())
    inside: dict[str, float] = {}
    with ExitStack() as clocks:
        for owner, name in ((model_module, "profiles_fit"), (model_module, "unit_values_fit"),
                            (model_module.Featurizer, "training_matrix"), (lightgbm, "train")):
            clocks.enter_context(clocked(owner, name, inside))
        times = []
        for _ in range(rounds):
            gc.collect()
            started = time.perf_counter()
            model = model_module.model_train(labelled, seen=every)
            times.append(time.perf_counter() - started)
    out["train"], out["train_mean"], out["model"] = statistics.median(times), \
        statistics.mean(times), model
    out["inside"] = {name: total / rounds for name, total in inside.items()}
    ordered = sorted(labelled, key=lambda item: (item[0].on, item[0].id))  # as model_train
    matrix = model.featurizer.training_matrix(ordered)
    labels = np.array([1 if label else 0 for _, label in ordered])
    out["lightgbm"], _ = median_seconds(lambda: lightgbm_alone(matrix, labels,
                                                               model.featurizer), rounds)
    out["features"] = len(model.featurizer.names)
    return out


# --- 2. scoring --------------------------------------------------------------------------------
def rules_and_policy():
    from declarations.risk.defaults import DEFAULT_RULES
    from declarations.risk.management.commands.backtest_selection import LEARNED_CRITERIA
    from declarations.risk.scoring import Policy, RuleSpec

    rules = [RuleSpec(code=code, name=name, rule_type=kind, effect=effect, params=params,
                      points=points)
             for code, name, kind, effect, params, points, _max in DEFAULT_RULES]
    # the defaults of a new ruleset (risk/models.py RiskRuleset)
    policy = Policy(yellow_threshold=30, red_threshold=70, min_random_percent=Decimal("1.0"),
                    post_audit_random_percent=Decimal("2.0"), secret=b"bench-learned")
    return rules, rules + list(LEARNED_CRITERIA), policy


def score_rules(cases, rules, policy) -> float:
    from declarations.risk.scoring import evaluate

    started = time.perf_counter()
    for case in cases:
        evaluate(case.ref, rules, policy)
    return time.perf_counter() - started


def score_learned(cases, rules, policy, profiles, model, batch_size: int = BATCH,
                  inside: dict | None = None) -> tuple[float, int]:
    """Seconds, and how many cases got reasons (the model put them above its base rate).
    `inside` collects the seconds of case_of and learned_inputs."""
    from declarations.risk.learning.cases import case_of
    from declarations.risk.learning.inputs import learned_inputs
    from declarations.risk.scoring import evaluate

    inside = {} if inside is None else inside
    facts = [case.ref for case in cases]
    explained = 0
    started = time.perf_counter()
    for start in range(0, len(facts), batch_size):
        batch = facts[start:start + batch_size]
        # as routing does it (learned.learned_for): the batch's cases, then the inputs at once
        before = time.perf_counter()
        batch_cases = [case_of(item) for item in batch]
        between = time.perf_counter()
        learned = learned_inputs(batch_cases, profiles=profiles, model=model,
                                 profile_version=1, model_version=1)
        after = time.perf_counter()
        inside["case_of"] = inside.get("case_of", 0.0) + between - before
        inside["learned_inputs"] = inside.get("learned_inputs", 0.0) + after - between
        for item, extra in zip(batch, learned, strict=True):
            evaluate(item, rules, policy, learned=extra)
            explained += bool(extra.reasons)
    return time.perf_counter() - started, explained


# Run in a child process with every core allowed (as a worker runs), LightGBM imported after:
# the cost of one predict call with LightGBM's default threads (OpenMP: one per core) and with
# num_threads=1, the model's training setting, which predict does not inherit.
PREDICT_CHILD = """
import json, os, statistics, sys, time
os.sched_setaffinity(0, range(os.cpu_count()))
import lightgbm, numpy
booster = lightgbm.Booster(model_file=sys.argv[1])
matrix = numpy.load(sys.argv[2])
out = {}
for label, options in (("default", {}), ("one", {"num_threads": 1})):
    for rows in (1, len(matrix)):
        times = []
        for _ in range(31):
            started = time.perf_counter()
            booster.predict(matrix[:rows], raw_score=True, **options)
            times.append(time.perf_counter() - started)
        out[f"{label}_{rows}"] = statistics.median(times[1:])
print(json.dumps(out))
"""


def predict_threads(model, cases) -> dict:
    """One predict call's seconds in an unpinned child: default threads vs num_threads=1."""
    import json
    import subprocess
    import tempfile

    import numpy as np

    with tempfile.TemporaryDirectory() as folder:
        model.booster.save_model(f"{folder}/model.txt")
        np.save(f"{folder}/matrix.npy", model.featurizer.matrix(cases))
        out = subprocess.run([sys.executable, "-c", PREDICT_CHILD, f"{folder}/model.txt",
                              f"{folder}/matrix.npy"], capture_output=True, text=True,
                             check=True).stdout
    found = json.loads(out)
    return {"default_one_row": found["default_1"], "default_batch": found[f"default_{len(cases)}"],
            "one_one_row": found["one_1"], "one_batch": found[f"one_{len(cases)}"]}


def measure_scoring(fresh, model, rounds: int) -> dict:
    """Rules alone and with the learned criteria, alternating; where the time goes with the
    model (clocked during the measured rounds); batches of 1; predict's threads."""
    import lightgbm

    from declarations.risk.learning.model import Featurizer

    rules, with_learned, policy = rules_and_policy()
    profiles = model.featurizer.profiles
    rules_rates, learned_rates = [], []
    inside: dict[str, float] = {}
    learned_seconds = 0.0
    explained = 0
    for _ in range(rounds):
        gc.collect()
        rules_rates.append(len(fresh) / score_rules(fresh, rules, policy))
        gc.collect()
        with clocked(Featurizer, "matrix", inside), \
                clocked(lightgbm.Booster, "predict", inside,
                        lambda kw: "contrib" if kw.get("pred_contrib") else "predict"):
            seconds, explained = score_learned(fresh, with_learned, policy, profiles, model,
                                               inside=inside)
        learned_seconds += seconds
        learned_rates.append(len(fresh) / seconds)
    gc.collect()
    single_count = min(1000, len(fresh))
    single, _explained = score_learned(fresh[:single_count], with_learned, policy, profiles,
                                       model, batch_size=1)
    return {"rules": statistics.median(rules_rates), "learned": statistics.median(learned_rates),
            "rounds": list(zip(rules_rates, learned_rates, strict=True)),
            "shares": {name: total / learned_seconds for name, total in inside.items()},
            "explained": explained, "contrib_each": inside.get("contrib", 0.0)
            / max(1, explained * rounds), "rule_count": len(rules),
            "single": single_count / single, "threads": predict_threads(model, fresh[:BATCH])}


# --- 3. PostgreSQL -----------------------------------------------------------------------------
def database_name(size: int) -> str:
    return f"customs_bench_learned_{size // 1000}k" if size < 1_000_000 else \
        f"customs_bench_learned_{size // 1_000_000}m"


def seeded(size: int, *, reuse: bool) -> tuple[str, list[str], float | None]:
    """The demo history of `size` declarations (bench/reporting.py's seeding), the databases
    made on the way and the seconds seeding took (None when reused)."""
    from bench.reporting import seed, seed_by_copies

    database = database_name(size)
    source_size = 100_000
    if reuse and database_exists(database):
        import subprocess

        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT,
                       env=bench_env(database), check=True)
        return database, [], None
    started = time.perf_counter()
    made = [database]
    if size > source_size and size % source_size == 0:
        source = database_name(source_size)
        if not (reuse and database_exists(source)):
            print(f"seeding {source_size:,} declarations into {source} (seed_demo) ...",
                  flush=True)
            seed(source_size, source)
            made.append(source)
        print(f"seeding {size:,} declarations into {database} as copies ...", flush=True)
        seed_by_copies(size, database, source, source_size)
    else:
        print(f"seeding {size:,} declarations into {database} (seed_demo) ...", flush=True)
        seed(size, database)
    return database, made, time.perf_counter() - started


def plain_read(since, until) -> tuple[int, int]:
    """The baseline: the outcomes in one SELECT, then the same declarations' rows, lines and
    enterprises in three plain SELECTs (tuples, no per-row Python): what any rebuild reads."""
    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT o.declaration_id, o.outcome FROM declarations_checkoutcome o "
            "JOIN declarations_declaration d ON d.id = o.declaration_id "
            "WHERE (d.submitted_at AT TIME ZONE %s)::date BETWEEN %s AND %s",
            [settings.TIME_ZONE, since, until])
        ids = sorted({pk for pk, _outcome in cursor.fetchall()})
        rows = 0
        for start in range(0, len(ids), 5_000):
            chunk = ids[start:start + 5_000]
            cursor.execute("SELECT * FROM declarations_declaration WHERE id = ANY(%s)", [chunk])
            rows += len(cursor.fetchall())
            cursor.execute("SELECT declaration_id, line_no, tariff_line_id, origin_country_id, "
                           "unit_price FROM declarations_goodsline WHERE declaration_id = "
                           "ANY(%s)", [chunk])
            cursor.fetchall()
            cursor.execute("SELECT * FROM customs_core_enterprise WHERE id IN (SELECT "
                           "enterprise_id FROM declarations_declaration WHERE id = ANY(%s))",
                           [chunk])
            cursor.fetchall()
    return len(ids), rows


def measure_database(size: int, *, reuse: bool, keep: bool) -> dict:
    """The services end to end against the baseline read, with where their time goes (the
    functions they call, clocked during the call)."""
    from bench.reporting import use_database

    database, made, seed_seconds = seeded(size, reuse=reuse)
    use_database(database)
    from django.db import connection
    from django.utils import timezone

    from declarations.models import Declaration
    from declarations.risk import learned

    out = {"database": database, "seed_seconds": seed_seconds,
           "declarations": Declaration.objects.count()}
    until = timezone.localdate()
    since = until - timedelta(days=learned.WINDOW_DAYS)
    steps = ("outcomes_between", "cases_of", "facts_for", "case_of", "profiles_fit",
             "model_train", "_holdout_figures")
    try:
        gc.collect()
        started = time.perf_counter()
        out["outcomes"], _rows = plain_read(since, until)
        out["baseline"] = time.perf_counter() - started
        for service, label in ((learned.profiles_rebuild, "rebuild"),
                               (learned.risk_model_train, "train")):
            inside: dict[str, float] = {}
            with ExitStack() as clocks:
                for name in steps:
                    clocks.enter_context(clocked(learned, name, inside))
                gc.collect()
                started = time.perf_counter()
                made_row = service()
                out[label] = time.perf_counter() - started
            out[f"{label}_inside"] = inside
            if label == "rebuild":
                out["violations"] = made_row.violations
            else:
                out["trained"] = made_row is not None
    finally:
        connection.close()
        if not keep:
            for name in made:
                psql(f"DROP DATABASE IF EXISTS {name}")
    return out


# --- the report --------------------------------------------------------------------------------
def print_fit(args, fit: dict, tiles: int, generated: float) -> None:
    print(f"history: {args.declarations:,} generated declarations ({args.generate:,} by "
          f"synthetic.history, tiled {tiles}x over {WINDOW_DAYS} days; {generated:.0f} s), "
          f"{args.inspected:,} inspected (a 10% random sample); medians of {args.rounds}")
    print(f"one counting pass (violations per enterprise) {fit['counting']:8.3f} s")
    print(f"profile rebuild (profiles_fit, 9 keys)        {fit['profiles']:8.3f} s  "
          f"= {fit['profiles'] / fit['counting']:.1f}x one counting pass "
          f"({fit['profile_values']:,} key values)")
    print(f"LightGBM alone on the ready matrix            {fit['lightgbm']:8.3f} s  "
          f"({fit['features']} features, 200 rounds)")
    print(f"model training (model_train, seen = all)      {fit['train']:8.3f} s  "
          f"= {fit['train'] / fit['lightgbm']:.2f}x LightGBM alone")
    inside = fit["inside"]
    rest = fit["train_mean"] - sum(inside.values())
    print(f"  where it goes (mean {fit['train_mean']:.2f} s): LightGBM (Dataset + train) "
          f"{inside.get('train', 0):.2f} s, Featurizer.training_matrix "
          f"{inside.get('training_matrix', 0):.2f} s, unit_values_fit over "
          f"{args.declarations:,} {inside.get('unit_values_fit', 0):.2f} s, profiles_fit "
          f"{inside.get('profiles_fit', 0):.2f} s, the rest (sorting, copying `seen`, "
          f"vocabularies) {rest:.2f} s")


def print_scoring(args, s: dict) -> None:
    print(f"scoring on one core: {args.score:,} declarations not inspected, batches of "
          f"{BATCH}, {s['rule_count']} default rules (+ profile 40 and model 80 points)")
    for n, (rules, learned) in enumerate(s["rounds"], start=1):
        print(f"round {n}: rules alone {rules:8.0f} declarations/s, with profile + model "
              f"{learned:7.0f} declarations/s, ratio {learned / rules:.2f}x")
    print(f"batches of 1 (a quiet hour's routing): with profile + model {s['single']:7.0f} "
          f"declarations/s")
    shares = s["shares"]
    other = shares.get("learned_inputs", 0) - sum(shares.get(name, 0) for name in
                                                  ("matrix", "predict", "contrib"))
    evaluate = 1 - shares.get("learned_inputs", 0) - shares.get("case_of", 0)
    print(f"  where it goes (with the model): reasons (pred_contrib) {shares.get('contrib', 0):.0%}"
          f" ({s['contrib_each'] * 1000:.2f} ms per case above the base rate, "
          f"{s['explained']:,} of {args.score:,}), featurizing (Featurizer.matrix) "
          f"{shares.get('matrix', 0):.0%}, booster.predict {shares.get('predict', 0):.0%}, "
          f"the rest of learned_inputs {other:.0%}, case_of {shares.get('case_of', 0):.0%}, "
          f"evaluate {evaluate:.0%}")
    t = s["threads"]
    print(f"  one predict call in a process on every core (as a worker): LightGBM's default "
          f"threads {t['default_one_row'] * 1000:.2f} ms for 1 row, "
          f"{t['default_batch'] * 1000:.2f} ms for {BATCH}; num_threads=1 "
          f"{t['one_one_row'] * 1000:.2f} ms and {t['one_batch'] * 1000:.2f} ms")


def print_database(args, d: dict) -> None:
    seed = f"seeded in {d['seed_seconds'] / 60:.0f} min" if d["seed_seconds"] else "reused"
    print(f"PostgreSQL {d['database']}: {d['declarations']:,} declarations ({seed}), "
          f"{d['outcomes']:,} with an outcome in the last {WINDOW_DAYS} days "
          f"({d['violations']:,} violations)")
    print(f"baseline: outcomes SELECT + plain facts read  {d['baseline']:8.2f} s")
    print(f"profiles_rebuild() end to end                 {d['rebuild']:8.2f} s  "
          f"= {d['rebuild'] / d['baseline']:.1f}x the baseline")
    print(f"risk_model_train() end to end                 {d['train']:8.2f} s  "
          f"= {d['train'] / d['baseline']:.1f}x the baseline (trained: {d['trained']})")
    for label in ("rebuild", "train"):
        inside, total = d[f"{label}_inside"], d[label]
        read = inside.get("outcomes_between", 0) + inside.get("cases_of", 0)
        fitted = inside.get("profiles_fit", 0) + inside.get("model_train", 0) \
            + inside.get("_holdout_figures", 0)
        print(f"  {label}: outcomes_between {inside.get('outcomes_between', 0):.2f} s, cases_of "
              f"{inside.get('cases_of', 0):.2f} s (facts_for {inside.get('facts_for', 0):.2f} s, "
              f"case_of {inside.get('case_of', 0):.2f} s, Declaration rows the rest), "
              + (f"profiles_fit {inside.get('profiles_fit', 0):.2f} s" if label == "rebuild"
                 else f"model_train x2 (holdout + full) {inside.get('model_train', 0):.2f} s, "
                 f"holdout scoring {inside.get('_holdout_figures', 0):.2f} s")
              + f", saving and the rest {total - read - fitted:.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description="learned selection benchmark")
    parser.add_argument("--declarations", type=int, default=1_000_000)
    parser.add_argument("--inspected", type=int, default=100_000)
    parser.add_argument("--generate", type=int, default=200_000,
                        help="declarations generated; the rest are tiled copies")
    parser.add_argument("--score", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--database", action="store_true", help="also the PostgreSQL part")
    parser.add_argument("--no-pure", action="store_true", help="only the PostgreSQL part")
    parser.add_argument("--database-size", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if args.generate > args.declarations or args.inspected > args.declarations:
        parser.error("--generate and --inspected are at most --declarations")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})  # one core; LightGBM runs num_threads=1 (model.PARAMS)
    if args.database:  # Django on PostgreSQL from the start (the pure parts never query)
        os.environ.update(bench_env(database_name(args.database_size)))
    setup_django()
    fit = scoring = database = None
    if not args.no_pure:
        every, labelled, fresh, tiles, generated = history(args.declarations, args.generate,
                                                           args.inspected)
        fit = measure_fit(every, labelled, args.rounds)
        print_fit(args, fit, tiles, generated)
        scoring = measure_scoring(fresh[-args.score:], fit["model"], args.rounds)
        print_scoring(args, scoring)
        del every, labelled, fresh
    if args.database:
        database = measure_database(args.database_size, reuse=args.reuse, keep=args.keep)
        print_database(args, database)
    print("\nsummary")
    if fit:
        print(f"  profile rebuild, {args.inspected:,} inspected of {args.declarations:,}: "
              f"{fit['profiles']:.2f} s ({fit['profiles'] / fit['counting']:.1f}x one "
              f"counting pass)")
        print(f"  model training, same: {fit['train']:.1f} s "
              f"({fit['train'] / fit['lightgbm']:.2f}x LightGBM alone on the same matrix)")
        print(f"  scoring, one core: rules alone {scoring['rules']:,.0f}/s, with profile + "
              f"model {scoring['learned']:,.0f}/s ({scoring['learned'] / scoring['rules']:.2f}x;"
              f" goal >= 1,000/s); batches of 1: {scoring['single']:,.0f}/s")
    if database:
        print(f"  PostgreSQL, {database['declarations']:,} declarations: profiles_rebuild "
              f"{database['rebuild']:.1f} s, risk_model_train {database['train']:.1f} s "
              f"(baseline read {database['baseline']:.1f} s)")


if __name__ == "__main__":
    main()
