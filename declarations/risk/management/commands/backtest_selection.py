"""Replay a period of history as if each engine had chosen the red channel, and compare.

    manage.py backtest_selection                       # the branch's last 90 days, 10% red
    manage.py backtest_selection --from 2026-01-01 --to 2026-06-30 --red-share 10 --ruleset 4
    manage.py backtest_selection --generated 20000     # a generated history, planted fraud

Engines, in the same run: random selection, the active ruleset (the hand-made one), the
candidate ruleset if another is named (its profile and model criteria refitted as the replay
goes), and the learned engine alone (profiles and model). Only the declarations an engine
selects reveal their outcome to it (learning/backtest.py).
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from declarations.risk.defaults import DEFAULT_RULES, LEARNED_RULES
from declarations.risk.learned import backtest_compute
from declarations.risk.learning import synthetic
from declarations.risk.learning.backtest import (
    LearnedEngine,
    RandomEngine,
    RulesEngine,
    replay,
)
from declarations.risk.models import RiskRuleset
from declarations.risk.scoring import Policy, RuleSpec

LEARNED_CRITERIA = [RuleSpec(code=c, name=name, rule_type=t, effect=e, params=p, points=pts)
                    for c, name, t, e, p, pts, _max in LEARNED_RULES]


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Backtest selection engines on a period of history at a red share (hit rate etc.)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="date_to", help="last day (YYYY-MM-DD); today")
        parser.add_argument("--red-share", type=Decimal, default=Decimal("10"),
                            help="percent of declarations selected red (default 10)")
        parser.add_argument("--ruleset", type=int, help="candidate ruleset version")
        parser.add_argument("--generated", type=int, metavar="N",
                            help="replay a generated history of N declarations instead")
        parser.add_argument("--seed", type=int, default=7, help="of the generated history")
        parser.add_argument("--weeks", action="store_true", help="print every week too")

    def _bar(self, options):
        if options["verbosity"] < 1 or not self.stdout.isatty():
            return None
        return tqdm(total=1, unit="decl", dynamic_ncols=True, leave=False,
                    file=self.stdout._out)

    def handle(self, *args, **options):
        share = options["red_share"]
        if not Decimal("0.5") <= share <= Decimal("50"):
            raise CommandError("--red-share is a percentage between 0.5 and 50")
        bar = self._bar(options)

        def progress(*args):
            done, total = args[-2:]
            if bar is not None:
                bar.total = total
                bar.n = done
                bar.set_description(args[0] if len(args) == 3 else "replay")
                bar.refresh()

        if options["generated"]:
            result = self._generated(options, float(share) / 100, progress)
        else:
            result = self._branch(options, float(share) / 100, progress)
        if bar is not None:
            bar.close()
        self._print(result, weeks=options["weeks"])

    def _generated(self, options, share: float, progress) -> dict:
        n = options["generated"]
        if n < 1000:
            raise CommandError("--generated needs at least 1000 declarations")
        cases, outcomes, _planted = synthetic.history(n, seed=options["seed"])
        hand_made = [RuleSpec(code=c, name=name, rule_type=t, effect=e, params=p, points=pts)
                     for c, name, t, e, p, pts, _max in DEFAULT_RULES]
        policy = Policy(yellow_threshold=30, red_threshold=70, min_random_percent=Decimal(0),
                        post_audit_random_percent=Decimal(0), secret=b"generated")
        engines = [RandomEngine(), RulesEngine(hand_made, policy, name="hand-made ruleset"),
                   RulesEngine(hand_made + LEARNED_CRITERIA, policy,
                               name="ruleset + profile + model", learned=LearnedEngine()),
                   LearnedEngine()]
        results = replay(cases, outcomes, engines, red_share=share, progress=progress)
        return {"date_from": min(c.on for c in cases).isoformat(),
                "date_to": max(c.on for c in cases).isoformat(), "red_share": share,
                "declarations": len(cases), "known": len(outcomes), "prior_outcomes": 0,
                "engines": [r.as_dict() for r in results]}

    def _branch(self, options, share: float, progress) -> dict:
        date_to = _date(options["date_to"]) if options["date_to"] else timezone.localdate()
        date_from = (_date(options["date_from"]) if options["date_from"]
                     else date_to - timedelta(days=89))
        if date_to < date_from:
            raise CommandError("--to is before --from")
        candidate = None
        if options["ruleset"]:
            candidate = RiskRuleset.objects.filter(version=options["ruleset"]).first()
            if candidate is None:
                raise CommandError(f"no ruleset version {options['ruleset']}")
        try:
            return backtest_compute(date_from=date_from, date_to=date_to, red_share=share,
                                    candidate=candidate, progress=progress)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc

    def _print(self, result: dict, *, weeks: bool) -> None:
        w = self.stdout.write
        w(f"Backtest {result['date_from']} .. {result['date_to']}: "
          f"{result['declarations']} declarations, {result['known']} with a known outcome, "
          f"red share {result['red_share']:.1%}")
        w(f"{'engine':32} {'selected':>9} {'hit rate':>9} {'recall':>8} "
          f"{'found (VND)':>18} {'AUC':>6}")
        for engine in result["engines"]:
            o = engine["overall"]
            w(f"{engine['engine']:32} {o['selected']:>9} {_pct(o['hit_rate']):>9} "
              f"{_pct(o['recall']):>8} {o['found_vnd']:>18,} {_num(o['auc']):>6}")
        if weeks:
            for engine in result["engines"]:
                w(f"\n{engine['engine']}")
                for week in engine["weeks"]:
                    w(f"  {week['week']} {week['selected']:>6} {_pct(week['hit_rate']):>8} "
                      f"{_pct(week['recall']):>8} {_num(week['auc']):>6}")


def _pct(x) -> str:
    return "-" if x is None else f"{x:.1%}"


def _num(x) -> str:
    return "-" if x is None else f"{x:.3f}"
