"""The risk app's part of the demo: the default ruleset, and the router that routes the
generated declaration history with the real engine (declarations.demo asks it for each
declaration's channel, in registration order)."""

from collections import deque
from datetime import date, datetime

from customs_core.bulk import BulkWriter
from declarations.demo import HistoryRouter

from .defaults import ruleset_install_defaults
from .models import RiskAssessment
from .scoring import Facts, LineFacts, capacity_rank, evaluate
from .services import ASSESSMENT_COLUMNS, policy_of, specs_of


class RiskRouter(HistoryRouter):
    """The live routing engine applied in memory: scoring with the active ruleset, capacity
    ranked over the last decisions, and each enterprise's violations so far; one
    assessment row per routed declaration, written with the history."""

    def __init__(self):
        super().__init__()
        self.ruleset = ruleset_install_defaults()
        self.rules = specs_of(self.ruleset.rules.all())
        self.policy = policy_of(self.ruleset)
        self.violations: dict[int, list[date]] = {}
        self.recent: deque[tuple[str, int]] = deque(maxlen=self.ruleset.topup_window)
        self.writers = {"assessment": BulkWriter(RiskAssessment, ASSESSMENT_COLUMNS)}
        self._last = None

    def route(self, *, pk, number, day, regime, trading_country, enterprise, lines):
        facts = Facts(
            number=number, on=day, regime=regime, trading_country=trading_country,
            enterprise_tax_code=enterprise.tax_code, enterprise_priority=enterprise.is_priority,
            enterprise_age_days=(day - enterprise.established_on).days
            if enterprise.established_on else None,
            violation_days_ago=tuple((day - v).days for v in self.violations.get(
                enterprise.pk, ()) if v <= day),
            amendment_count=0, lines=tuple(
                LineFacts(line_no=n, hs_code=t.hs_code, origin=origin, unit_price_usd=usd,
                          reference_price_usd=t.reference_unit_price_usd)
                for n, (t, origin, usd) in enumerate(lines, start=1)))
        decision = evaluate(facts, self.rules, self.policy)
        channel, extra = capacity_rank(
            decision, number=number, recent=list(self.recent), secret=self.policy.secret,
            expected_yellow=self.ruleset.expected_yellow_percent,
            expected_red=self.ruleset.expected_red_percent,
            max_yellow=self.ruleset.max_yellow_percent, max_red=self.ruleset.max_red_percent)
        self.recent.appendleft((channel, decision.score))
        post_audit = channel == "green" and decision.post_audit
        self._last = (pk, decision, channel, [h.as_dict() for h in extra], post_audit)
        return channel, post_audit

    def routed(self, *, pk: int, at: datetime) -> None:
        last_pk, decision, channel, extra, post_audit = self._last
        assert last_pk == pk, "routed() follows route() of the same declaration"
        self.writers["assessment"].add((pk, self.ruleset.pk, 0, decision.score, channel,
                                        decision.fired() + extra, post_audit, at))

    def violation(self, enterprise_pk: int, day: date) -> None:
        self.violations.setdefault(enterprise_pk, []).append(day)


def seed(*, options: dict, progress) -> dict[str, int]:
    """Called by seed_demo after declarations: the default ruleset (the history was routed
    with it already when the declarations app seeded); then what learned selection makes of
    that history: the profiles, a model (activated by the demo risk officer) and a draft clone
    of the default with the two learned criteria, ready for the what-if page's backtest."""
    from django.db.models import Max

    from customs_core.models import User

    from .defaults import LEARNED_RULES
    from .learned import profiles_rebuild, risk_model_activate, risk_model_train
    from .models import RiskRule, RiskRuleset

    ruleset = ruleset_install_defaults()
    counts = {"ruleset": ruleset.version}
    if not RiskRuleset.objects.filter(rules__code="model").exists():
        version = (RiskRuleset.objects.aggregate(v=Max("version"))["v"] or 0) + 1
        draft = RiskRuleset.objects.create(
            version=version, name=f"{ruleset.name} + hồ sơ rủi ro và mô hình",
            **{f: getattr(ruleset, f) for f in (
                "yellow_threshold", "red_threshold", "expected_yellow_percent",
                "expected_red_percent", "max_yellow_percent", "max_red_percent",
                "topup_window", "min_random_percent", "post_audit_random_percent")})
        RiskRule.objects.bulk_create(
            [RiskRule(ruleset=draft, code=r.code, name=r.name, rule_type=r.rule_type,
                      effect=r.effect, params=r.params, points=r.points,
                      max_hits_without_selection=r.max_hits_without_selection)
             for r in ruleset.rules.all()]
            + [RiskRule(ruleset=draft, code=code, name=name, rule_type=t, effect=e, params=p,
                        points=points)
               for code, name, t, e, p, points, _max in LEARNED_RULES])
        counts["learned_ruleset"] = draft.version
    counts["profiles"] = profiles_rebuild().version
    model = risk_model_train()
    officer = User.objects.filter(username="risk").first()
    if model is not None and officer is not None:
        risk_model_activate(model=model, by=officer)
        counts["model"] = model.version
    return counts
