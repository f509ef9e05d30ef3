"""Pure scoring: facts about one declaration + the rules of a ruleset -> score, channel, reasons.

No ORM here (facts are built in risk/facts.py), so the same function routes live declarations,
replays any past decision, and simulates a proposed ruleset over last month's declarations.
Random selection is deterministic: an HMAC of the declaration's 11 identifying digits under a
secret seed, so every selection can be audited and replayed (DESIGN.md §5).
"""

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from ..choices import Channel
from .choices import RuleEffect, RuleType
from .learning.profiles import KEYS, MIN_INSPECTIONS, profile_points, strongest

LEARNED_TYPES = {RuleType.PROFILE, RuleType.MODEL}

DAYS_PER_MONTH = Decimal("30.44")
CHANNEL_ORDER = {Channel.GREEN: 0, Channel.YELLOW: 1, Channel.RED: 2}


@dataclass(frozen=True)
class LineFacts:
    line_no: int
    hs_code: str
    origin: str
    unit_price_usd: Decimal | None
    reference_price_usd: Decimal | None


@dataclass(frozen=True)
class Facts:
    """What the rules may look at, read from the declaration and the enterprise's history."""

    number: str
    on: date
    regime: str
    trading_country: str
    enterprise_tax_code: str
    enterprise_priority: bool
    enterprise_age_days: int | None
    violation_days_ago: tuple[int, ...]
    amendment_count: int
    lines: tuple[LineFacts, ...]
    # What the learned criteria also read (risk/learning): who filed it, where, with whom.
    declarant: str = ""
    border_gate: str = ""
    partner: str = ""
    value_usd: float | None = None
    quantity: float | None = None


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    rule_type: str
    effect: str
    params: dict
    points: int
    valid_from: date | None = None
    valid_to: date | None = None
    is_active: bool = True


@dataclass(frozen=True)
class Policy:
    yellow_threshold: int
    red_threshold: int
    min_random_percent: Decimal
    post_audit_random_percent: Decimal
    secret: bytes


@dataclass(frozen=True)
class Hit:
    code: str
    name: str
    rule_type: str
    effect: str
    points: int
    detail: str  # English, for the record (exports, logs, the API)
    # The values behind `detail` (JSON), from which pages render it in the reader's language
    # (risk/explain.py).
    args: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "type": self.rule_type,
                "effect": self.effect, "points": self.points, "detail": self.detail,
                "args": self.args}


@dataclass(frozen=True)
class Decision:
    score: int
    channel: str
    hits: tuple[Hit, ...]
    post_audit: bool
    selected_by: tuple[str, ...] = field(default=())  # codes that forced a channel
    # The channel those codes forced whatever the score (mandatory red, random selection):
    # below `channel`, the channel came from the score alone and capacity may lower it.
    forced: str = Channel.GREEN

    def fired(self) -> list[dict]:
        return [hit.as_dict() for hit in self.hits]


def draw(secret: bytes, number: str, salt: str) -> Decimal:
    """A reproducible number in [0, 1) for this declaration (its 11 identifying digits)."""
    digest = hmac.new(secret, f"{number[:11]}:{salt}".encode(), hashlib.sha256).digest()
    return Decimal(int.from_bytes(digest[:8], "big")) / Decimal(2**64)


def _in_period(rule: RuleSpec, on: date) -> bool:
    return rule.is_active and (rule.valid_from is None or rule.valid_from <= on) and (
        rule.valid_to is None or on <= rule.valid_to)


def _learned_match(rule: RuleSpec, learned) -> tuple[str, dict, int] | None:
    """A profile or model criterion: points for the lift over the base rate (cap/2 per
    doubling, capped at the rule's points), with the key or the reasons behind it."""
    if learned is None:
        return None
    if rule.rule_type == RuleType.PROFILE:
        if learned.profiles is None:
            return None
        best = strongest(learned.profiles, learned.case, rule.params.get("keys", KEYS),
                         min_inspections=rule.params.get("min_inspections", MIN_INSPECTIONS))
        points = profile_points(best.lift, rule.points) if best else 0
        if points <= 0:
            return None
        return (f"{best.key} {best.value}: {best.violations} violations in "
                f"{best.inspections} inspections, {best.lift:.1f}x base",
                {**best.as_dict(), "version": learned.profile_version}, points)
    if learned.probability is None or not learned.base_rate:
        return None
    lift = learned.probability / learned.base_rate
    points = profile_points(lift, rule.points)
    if points <= 0:
        return None
    reasons = [r.as_dict() for r in learned.reasons]
    return (f"p={learned.probability:.3f}, {lift:.1f}x base; "
            + "; ".join(r.detail() for r in learned.reasons),
            {"probability": round(learned.probability, 4), "lift": round(lift, 2),
             "version": learned.model_version, "reasons": reasons}, points)


def _matches(rule: RuleSpec, facts: Facts, secret: bytes) -> tuple[str, dict] | None:
    """Why the rule fires, as (English detail, its arguments), or None."""
    p, kind = rule.params, rule.rule_type
    if kind == RuleType.COMPLIANCE_HISTORY:
        window = p["months"] * DAYS_PER_MONTH
        within = [days for days in facts.violation_days_ago if days <= window]
        if len(within) < p["min_violations"]:
            return None
        latest = (facts.on - timedelta(days=min(within))).isoformat()
        return (f"{len(within)} violation(s) in {p['months']} months, latest {latest}",
                {"count": len(within), "months": p["months"], "latest": latest})
    if kind == RuleType.NEW_ENTERPRISE:
        age = facts.enterprise_age_days
        return (f"enterprise {age} days old", {"days": age}) \
            if age is not None and age < p["months"] * DAYS_PER_MONTH else None
    if kind == RuleType.PRIORITY_STATUS:
        return ("priority enterprise (AEO)", {}) if facts.enterprise_priority else None
    if kind == RuleType.HS_WATCH:
        lines = [[line.line_no, line.hs_code] for line in facts.lines
                 if line.hs_code.startswith(tuple(p["prefixes"]))]
        return ("lines " + ", ".join(f"{n}:{code}" for n, code in lines),
                {"lines": lines}) if lines else None
    if kind == RuleType.ORIGIN_COUNTRY:
        lines = [[line.line_no, line.origin] for line in facts.lines
                 if line.origin in p["countries"]]
        return ("origin " + ", ".join(f"{n}:{origin}" for n, origin in lines),
                {"lines": lines}) if lines else None
    if kind == RuleType.TRADING_COUNTRY:
        return (f"trading country {facts.trading_country}",
                {"country": facts.trading_country}) \
            if facts.trading_country in p["countries"] else None
    if kind == RuleType.VALUATION:
        floor = 1 - Decimal(p["tolerance_percent"]) / 100
        low = [[line.line_no, line.hs_code, f"{line.unit_price_usd:.4f}",
                f"{line.reference_price_usd:.4f}"] for line in facts.lines
               if line.unit_price_usd is not None and line.reference_price_usd
               and line.unit_price_usd < line.reference_price_usd * floor]
        return ("; ".join(f"{n}:{code} {price} < {reference} USD"
                          for n, code, price, reference in low), {"lines": low}) if low else None
    if kind == RuleType.REGIME:
        return (f"regime {facts.regime}", {"regime": facts.regime}) \
            if facts.regime in p["regimes"] else None
    if kind == RuleType.AMENDMENTS:
        return (f"{facts.amendment_count} amendment(s)", {"count": facts.amendment_count}) \
            if facts.amendment_count >= p["min_amendments"] else None
    if kind == RuleType.ENTERPRISE_LIST:
        return (f"enterprise {facts.enterprise_tax_code}",
                {"tax_code": facts.enterprise_tax_code}) \
            if facts.enterprise_tax_code in p["tax_codes"] else None
    if kind == RuleType.RANDOM:
        value = draw(secret, facts.number, rule.code)
        rate = Decimal(p["rate_percent"]) / 100
        return (f"draw {value:.4f} < {rate:.4f}",
                {"draw": f"{value:.4f}", "percent": str(p["rate_percent"])}) \
            if value < rate else None
    raise ValueError(f"unknown rule type {kind}")


def _max_channel(a: str, b: str) -> str:
    return a if CHANNEL_ORDER[a] >= CHANNEL_ORDER[b] else b


def evaluate(facts: Facts, rules: list[RuleSpec] | tuple[RuleSpec, ...],
             policy: Policy, *, learned=None) -> Decision:
    """Score the declaration and choose its channel (before capacity: `capacity_rank`)."""
    hits: list[Hit] = []
    score = 0
    forced = Channel.GREEN
    selected_by: list[str] = []
    post_audit_rule = False
    for rule in rules:
        if not _in_period(rule, facts.on):
            continue
        points = rule.points
        if rule.rule_type in LEARNED_TYPES:
            learned_match = _learned_match(rule, learned)
            if learned_match is None:
                continue
            *matched, points = learned_match
        else:
            matched = _matches(rule, facts, policy.secret)
            if matched is None:
                continue
        hits.append(Hit(rule.code, rule.name, rule.rule_type, rule.effect, points, *matched))
        if rule.effect == RuleEffect.MANDATORY_RED:
            forced = Channel.RED
            selected_by.append(rule.code)
        elif rule.effect == RuleEffect.POST_AUDIT:
            post_audit_rule = True
        else:
            score += points
            if rule.rule_type == RuleType.RANDOM:
                forced = _max_channel(forced, Channel.YELLOW)
                selected_by.append(rule.code)
    minimum = draw(policy.secret, facts.number, "min-random")
    if minimum < policy.min_random_percent / 100:
        hits.append(Hit("min-random", "Minimum random selection", RuleType.RANDOM,
                        RuleEffect.POINTS, 0, f"draw {minimum:.4f}",
                        {"draw": f"{minimum:.4f}", "percent": str(policy.min_random_percent)}))
        forced = _max_channel(forced, Channel.YELLOW)
        selected_by.append("min-random")
    by_score = (Channel.RED if score >= policy.red_threshold else
                Channel.YELLOW if score >= policy.yellow_threshold else Channel.GREEN)
    channel = _max_channel(by_score, forced)
    post_audit = False
    if channel == Channel.GREEN:
        audit_draw = draw(policy.secret, facts.number, "post-audit")
        if post_audit_rule:
            post_audit = True
        elif audit_draw < policy.post_audit_random_percent / 100:
            post_audit = True
            hits.append(Hit("post-audit-random", "Random post-clearance audit", RuleType.RANDOM,
                            RuleEffect.POST_AUDIT, 0, f"draw {audit_draw:.4f}",
                            {"draw": f"{audit_draw:.4f}",
                             "percent": str(policy.post_audit_random_percent)}))
    return Decision(score=score, channel=channel, hits=tuple(hits), post_audit=post_audit,
                    selected_by=tuple(selected_by), forced=forced)


TOPUP_MIN_DECISIONS = 20  # too few recent decisions to judge a share


@dataclass(frozen=True)
class _Rank:
    """Where a score stands in the window: how many scored higher, how many the same."""

    score: int
    window: int
    greater: int
    equal: int
    draw: Decimal  # breaks ties at `score`, reproducibly

    def _places(self, percent: Decimal) -> Decimal:
        return percent * self.window / 100

    def within(self, percent: Decimal) -> bool:
        """Among the top `percent` of the window: fewer than that share scored higher, and at
        a tie on the edge the draw admits the share of the tied that still fits."""
        places = self._places(percent)
        if self.greater >= places:
            return False
        return self.equal == 0 or self.draw < (places - self.greater) / self.equal

    def args(self, percent: Decimal) -> dict:
        """The rank for the record; with the draw when a tie on the edge decided."""
        places = self._places(percent)
        args = {"score": self.score, "rank": self.greater + 1, "top": str(percent)}
        if self.equal and self.greater < places < self.greater + self.equal:
            args |= {"tied": self.equal, "draw": f"{self.draw:.4f}"}
        return args


def _capacity_hit(code: str, channel: str, actual: Decimal, window: int, target: Decimal,
                  rank: _Rank, top: Decimal) -> Hit:
    args = {"channel": str(channel), "actual": f"{actual:.1f}", "window": window,
            "target": str(target), **rank.args(top)}
    raised = not code.startswith("capacity-drop-")
    detail = (f"{channel} {actual:.1f}% of the last {window} decisions "
              f"{'<' if raised else '>'} {target}%; score {rank.score} ranks "
              f"{rank.greater + 1} of {window}, {'in' if raised else 'not in'} the top {top}%")
    if "draw" in args:
        detail += f" (tie of {args['tied']} broken by draw {args['draw']})"
    return Hit(code, "Capacity ranking", "capacity", RuleEffect.POINTS, 0, detail, args)


def capacity_rank(decision: Decision, *, number: str, recent: list[tuple[str, int]],
                  secret: bytes, expected_yellow: Decimal, expected_red: Decimal,
                  max_yellow: Decimal | None = None,
                  max_red: Decimal | None = None) -> tuple[str, list[Hit]]:
    """The channel after matching the teams' capacity (ASYCUDA selectivity), by rank.

    `recent` is the window: the last decisions as (channel, score), newest first. Below the
    expected red (yellow) share, a declaration that ranks among the top expected-red
    (red + yellow) share of the window's scores is raised; above a ceiling, a declaration red
    (yellow) by its score alone that does not rank there is lowered one channel. Mandatory red
    and random selections are never lowered. Ties are broken by a draw on the declaration's
    number, so the same declaration against the same window always gets the same answer.
    """
    channel = decision.channel
    window = len(recent)
    if window < TOPUP_MIN_DECISIONS:
        return channel, []
    rank = _Rank(score=decision.score, window=window,
                 greater=sum(1 for _c, score in recent if score > decision.score),
                 equal=sum(1 for _c, score in recent if score == decision.score),
                 draw=draw(secret, number, "capacity-rank"))
    channels = [c for c, _score in recent]
    red = Decimal(channels.count(Channel.RED) * 100) / window
    yellow = Decimal(channels.count(Channel.YELLOW) * 100) / window
    top_red, top_yellow = expected_red, expected_red + expected_yellow
    if channel != Channel.RED and red < expected_red and rank.within(top_red):
        return Channel.RED, [_capacity_hit("capacity-red", Channel.RED, red, window,
                                           expected_red, rank, top_red)]
    if channel == Channel.GREEN and yellow < expected_yellow and rank.within(top_yellow):
        return Channel.YELLOW, [_capacity_hit("capacity-yellow", Channel.YELLOW, yellow, window,
                                              expected_yellow, rank, top_yellow)]
    if decision.forced != Channel.GREEN:  # mandatory red or a random selection: kept
        return channel, []
    if channel == Channel.RED and max_red is not None and red > max_red \
            and not rank.within(top_red):
        return Channel.YELLOW, [_capacity_hit("capacity-drop-red", Channel.RED, red, window,
                                              max_red, rank, top_red)]
    if channel == Channel.YELLOW and max_yellow is not None and yellow > max_yellow \
            and not rank.within(top_yellow):
        return Channel.GREEN, [_capacity_hit("capacity-drop-yellow", Channel.YELLOW, yellow,
                                             window, max_yellow, rank, top_yellow)]
    return channel, []
