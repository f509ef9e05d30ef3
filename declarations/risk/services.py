"""Routing, ruleset management, what-if simulation and channel overrides (DESIGN.md §5)."""

from collections import Counter, defaultdict
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_core.audit.choices import AuditAction
from customs_core.audit.services import record
from customs_core.bulk import insert_rows
from customs_core.exceptions import StateConflict
from customs_core.models import User
from customs_core.roles import BRANCH_LEADER_ROLES, CHANNEL_RAISER_ROLES, RISK_EDITOR_ROLES

from ..choices import Channel, DeclarationErrorCode
from ..choices import DeclarationState as S
from ..models import Declaration, DeclarationEvent
from ..workflow import transition, transition_batch
from . import cache as risk_cache
from .choices import ChannelRequestStatus, RiskErrorCode, RuleEffect
from .facts import facts_for
from .learned import learned_for
from .models import ChannelChangeRequest, RiskAssessment, RiskRule, RiskRuleset
from .policy import policy_of, ruleset_active, specs_of
from .rules import rule_params_clean
from .scoring import (
    CHANNEL_ORDER,
    Decision,
    Hit,
    capacity_rank,
    evaluate,
)

OPEN_CHANNEL_STATES = {S.GREEN: Channel.GREEN, S.YELLOW: Channel.YELLOW, S.RED: Channel.RED}


# --- routing -----------------------------------------------------------------------------------
def _recent_decisions(ruleset: RiskRuleset) -> list[tuple[str, int]]:
    """(channel, score) of the last `topup_window` decisions, newest first: the window capacity
    ranks a declaration in."""
    return list(RiskAssessment.objects.order_by("-created_at", "-pk")
                .values_list("channel", "score")[:ruleset.topup_window])


class _MaxHitCounters:
    """ASYCUDA's "maximum hits with no selection" over a batch: count green hits per rule and
    select the Nth. The counted rules' rows are locked once (primary-key order) when a first
    declaration hits one, counted in memory declaration by declaration in routing order, and
    written back once: one UPDATE per changed rule instead of one per declaration."""

    def __init__(self, rules):
        self.rules = {r.code: r for r in rules if r.max_hits_without_selection}
        self.counts: dict[int, list[int]] | None = None  # pk -> [hits, limit]
        self.changed: set[int] = set()

    def _load(self) -> None:
        rows = (RiskRule.objects.select_for_update().filter(pk__in=[r.pk for r in
                                                                    self.rules.values()])
                .order_by("pk").values_list("pk", "hits_since_selection",
                                            "max_hits_without_selection"))
        self.counts = {pk: [hits, limit] for pk, hits, limit in rows if limit}

    def apply(self, decision: Decision, channel: str) -> tuple[str, list[Hit]]:
        counted = sorted((self.rules[h.code] for h in decision.hits if h.code in self.rules),
                         key=lambda r: r.pk)
        if not counted:
            return channel, []
        if self.counts is None:
            self._load()
        extra = []
        for rule in counted:
            if rule.pk not in self.counts:
                continue
            counter = self.counts[rule.pk]
            if channel != Channel.GREEN:  # selected anyway: the count starts again
                if counter[0]:
                    counter[0] = 0
                    self.changed.add(rule.pk)
                continue
            self.changed.add(rule.pk)
            if counter[0] + 1 >= counter[1]:
                counter[0] = 0
                channel = Channel.YELLOW
                extra.append(Hit(f"max-hits-{rule.code}", "Maximum hits with no selection",
                                 rule.rule_type, RuleEffect.POINTS, 0,
                                 f"{counter[1]} hits without selection",
                                 {"hits": counter[1], "rule": rule.code}))
            else:
                counter[0] += 1
        return channel, extra

    def save(self) -> None:
        for pk in sorted(self.changed):
            RiskRule.objects.filter(pk=pk).update(hits_since_selection=self.counts[pk][0])


def _channel_floors(batch: list[Declaration]) -> dict[int, str]:
    """The channel each declaration must at least return to: an amendment an officer asked for
    during a check comes back to that check (its channel and, in inspection, its officer),
    whatever the score of the amended version. Two queries, for amended declarations only."""
    amended = [d.pk for d in batch if d.amendment_count]
    if not amended:
        return {}
    last_submission = {}
    for pk, frm in (DeclarationEvent.objects.filter(declaration_id__in=amended,
                                                     to_state=S.SUBMITTED)
                    .order_by("declaration_id", "at", "id")
                    .values_list("declaration_id", "from_state")):
        last_submission[pk] = frm  # the last one wins: the submission being routed now
    current = [pk for pk, frm in last_submission.items() if frm == S.AMEND_REQUESTED]
    if not current:
        return {}
    floors = {}
    for pk, frm in (DeclarationEvent.objects.filter(
            declaration_id__in=current, to_state__in=[S.DOC_CHECK, S.INSPECTION])
            .order_by("declaration_id", "at", "id").values_list("declaration_id", "from_state")):
        floors[pk] = frm  # yellow or red: the channel the check that asked was in
    return floors


def _commit_without_waiting_for_disk() -> None:
    """PostgreSQL: this transaction's COMMIT does not wait for its WAL flush.

    Safe for routing alone: it is idempotent and the declaration stays `submitted` until the
    routing commits, so if a crash loses the last few milliseconds of commits the sweeper simply
    routes those declarations again. It removes the disk flush from every routing (RECIPES.md
    measured ~30% on INSERT-bound requests).
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


# Declarations routed in one transaction by one task: per-batch costs (two locking reads, the
# facts queries, bulk inserts, one UPDATE per channel) spread over more rows; measured 1.03 ms
# per declaration at 50, 0.64 ms at 200. A batch holds its row locks for ~130 ms.
ROUTING_BATCH = 200
ASSESSMENT_COLUMNS = ("declaration_id", "ruleset_id", "amendment_count", "score", "channel",
                      "fired", "post_audit", "created_at")


@transaction.atomic
def declarations_route(*, first_id: int, limit: int = ROUTING_BATCH) -> list[RiskAssessment]:
    """Score and route `first_id` and up to `limit - 1` other waiting declarations, in one
    transaction; idempotent.

    Rows are locked with SKIP LOCKED: concurrent routers take disjoint declarations, and a
    declaration another router holds is left to it, so each gets one assessment and one
    transition. A burst of submissions is routed in a few transactions (bulk facts, bulk
    inserts, one UPDATE per channel) and the tasks of declarations already routed return at
    once.
    """
    _commit_without_waiting_for_disk()
    # The task's own declaration first, waiting for its lock: if another router holds it in a
    # batch, that router may still roll back (a retry, a deadlock, a crash), and skipping it
    # here would leave it to the sweeper. This is the transaction's first lock, so waiting
    # cannot close a cycle; the rest of the batch is taken with SKIP LOCKED, never waited for.
    mine = list(Declaration.objects.select_for_update(of=("self",)).select_related("enterprise")
                .filter(pk=first_id, state=S.SUBMITTED))
    if not mine:
        return []  # routed meanwhile, by the router we waited for or an earlier delivery
    others = []
    if limit > 1:
        others = list(Declaration.objects.select_for_update(skip_locked=True, of=("self",))
                      .select_related("enterprise").filter(state=S.SUBMITTED)
                      .exclude(pk=first_id).order_by("updated_at", "pk")[:limit - 1])
    batch = mine + others
    floors = _channel_floors(batch)
    risk = risk_cache.tables()
    counters = _MaxHitCounters(risk.rules)
    facts = facts_for(batch)
    ruleset = risk.ruleset
    recent = _recent_decisions(ruleset)
    assessments, groups = [], defaultdict(list)
    learned = learned_for([facts[d.pk] for d in batch], risk.specs)
    for declaration, declaration_learned in zip(batch, learned, strict=True):
        declaration_facts = facts[declaration.pk]
        decision = evaluate(declaration_facts, risk.specs, risk.policy,
                            learned=declaration_learned)
        channel, capacity = capacity_rank(
            decision, number=declaration_facts.number, recent=recent, secret=risk.policy.secret,
            expected_yellow=ruleset.expected_yellow_percent,
            expected_red=ruleset.expected_red_percent,
            max_yellow=ruleset.max_yellow_percent, max_red=ruleset.max_red_percent)
        channel, max_hits = counters.apply(decision, channel)
        floor = floors.get(declaration.pk)
        if floor and CHANNEL_ORDER[floor] > CHANNEL_ORDER[channel]:
            channel = floor
            max_hits = [*max_hits, Hit("amendment-floor", "Amendment requested by an officer",
                                       "amendment", RuleEffect.MANDATORY_RED
                                       if floor == Channel.RED else RuleEffect.POINTS, 0,
                                       f"back in the {floor} channel of the check that asked "
                                       f"for the amendment", {"channel": floor})]
        recent = [(channel, decision.score), *recent[:ruleset.topup_window - 1]]
        post_audit = decision.post_audit and channel == Channel.GREEN
        assessments.append(RiskAssessment(
            declaration=declaration, ruleset=ruleset,
            amendment_count=declaration.amendment_count, score=decision.score,
            channel=channel, post_audit=post_audit,
            fired=decision.fired() + [h.as_dict() for h in capacity + max_hits]))
        groups[(channel, post_audit)].append(declaration)
    counters.save()
    # The unique (declaration, ruleset, amendment_count) constraint backs the state guard.
    now = timezone.now()
    insert_rows(RiskAssessment, ASSESSMENT_COLUMNS, [
        (a.declaration_id, a.ruleset_id, a.amendment_count, a.score, a.channel, a.fired,
         a.post_audit, now) for a in assessments])
    for (channel, post_audit), members in groups.items():
        transition_batch(members, to=[S.SCORED, channel], by=None, channel=channel,
                         post_clearance_audit=post_audit)
    return assessments


def declaration_route(*, declaration_id: int) -> RiskAssessment | None:
    """Route one declaration (a batch of one); None if it is not waiting or being routed."""
    routed = declarations_route(first_id=declaration_id, limit=1)
    return routed[0] if routed else None


def declarations_waiting_for_routing(*, older_than: timedelta,
                                     limit: int = 500) -> list[tuple[int, int]]:
    """(id, amendment count) of submitted declarations nobody routed (broker down, task lost):
    the sweeper's work."""
    cutoff = timezone.now() - older_than
    return list(Declaration.objects.filter(state=S.SUBMITTED, updated_at__lt=cutoff)
                .order_by("updated_at").values_list("pk", "amendment_count")[:limit])


# --- overrides ---------------------------------------------------------------------------------
def _current_channel(declaration: Declaration) -> str:
    channel = OPEN_CHANNEL_STATES.get(declaration.state)
    if channel is None:
        raise StateConflict(_("The channel can only change before the check starts."),
                            code=DeclarationErrorCode.WRONG_STATE,
                            current_state=declaration.state)
    return channel


def _locked_for_channel_change(declaration: Declaration, by: User) -> tuple[Declaration, str]:
    """The declaration's row, locked, and its current channel, for an officer who may change it."""
    if by.role not in CHANNEL_RAISER_ROLES:
        raise PermissionDenied(_("Your role may not change channels."))
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    return declaration, _current_channel(declaration)


@transaction.atomic
def declaration_raise_channel(*, declaration: Declaration, by: User, channel: str,
                              reason: str) -> Declaration:
    """An officer raises the channel (green -> yellow/red, yellow -> red), with a reason."""
    declaration, current = _locked_for_channel_change(declaration, by)
    if CHANNEL_ORDER[channel] <= CHANNEL_ORDER[current]:
        raise ValidationError({"channel": [_("Only a higher channel; lowering one needs the "
                                             "branch leader's approval.")]})
    return transition(declaration, to=channel, by=by, reason=reason, channel=channel,
                      post_clearance_audit=False)


@transaction.atomic
def channel_lowering_request(*, declaration: Declaration, by: User, channel: str,
                             reason: str) -> ChannelChangeRequest:
    """An officer asks to lower the channel; nothing changes until a branch leader approves."""
    declaration, current = _locked_for_channel_change(declaration, by)
    if CHANNEL_ORDER[channel] >= CHANNEL_ORDER[current]:
        raise ValidationError({"channel": [_("A lowering request names a lower channel.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    try:
        with transaction.atomic():
            return ChannelChangeRequest.objects.create(
                declaration=declaration, from_channel=current, to_channel=channel,
                reason=reason, requested_by=by)
    except IntegrityError as exc:
        raise StateConflict(_("A request for this declaration is already waiting."),
                            code=RiskErrorCode.REQUEST_PENDING,
                            current_state=declaration.state) from exc


@transaction.atomic
def channel_request_decide(*, request: ChannelChangeRequest, by: User, approve: bool,
                           note: str = "") -> ChannelChangeRequest:
    """The branch leader approves (the channel is lowered: an event) or rejects a request."""
    if by.role not in BRANCH_LEADER_ROLES:
        raise PermissionDenied(_("Only a branch leader decides on lowering a channel."))
    updated = ChannelChangeRequest.objects.filter(
        pk=request.pk, status=ChannelRequestStatus.PENDING).update(
        status=ChannelRequestStatus.APPROVED if approve else ChannelRequestStatus.REJECTED,
        decided_by=by, decided_at=timezone.now(), decision_note=note)
    if not updated:
        raise StateConflict(_("This request was already decided."),
                            code=RiskErrorCode.REQUEST_DECIDED, current_state=request.status)
    request.refresh_from_db()
    if approve:
        declaration = Declaration.objects.select_for_update().get(pk=request.declaration_id)
        if _current_channel(declaration) != request.from_channel:
            raise StateConflict(_("The declaration's channel changed since the request."),
                                code=DeclarationErrorCode.MOVED_BY_SOMEONE_ELSE,
                                current_state=declaration.state)
        transition(declaration, to=request.to_channel, by=by,
                   reason=f"{request.reason} ({_('approved')})", channel=request.to_channel,
                   data={"channel_request": request.pk,
                         "requested_by": request.requested_by_id})
    return request


# --- rulesets ----------------------------------------------------------------------------------
def _may_edit_rules(by: User) -> None:
    if getattr(by, "role", None) not in RISK_EDITOR_ROLES:
        raise PermissionDenied(_("Only a risk officer changes risk rules."))


@transaction.atomic
def ruleset_clone(*, ruleset: RiskRuleset, by: User, name: str = "") -> RiskRuleset:
    """A new draft version with the same thresholds and rules (counters start at zero)."""
    _may_edit_rules(by)
    version = (RiskRuleset.objects.aggregate(v=Max("version"))["v"] or 0) + 1
    fields = ["yellow_threshold", "red_threshold", "expected_yellow_percent",
              "expected_red_percent", "max_yellow_percent", "max_red_percent", "topup_window",
              "min_random_percent", "post_audit_random_percent"]
    draft = RiskRuleset.objects.create(version=version, name=name or f"{ruleset.name} (v{version})",
                                       created_by=by,
                                       **{f: getattr(ruleset, f) for f in fields})
    RiskRule.objects.bulk_create([
        RiskRule(ruleset=draft, code=r.code, name=r.name, rule_type=r.rule_type, effect=r.effect,
                 params=r.params, points=r.points, valid_from=r.valid_from, valid_to=r.valid_to,
                 is_active=r.is_active, max_hits_without_selection=r.max_hits_without_selection)
        for r in ruleset.rules.all()])
    record(None, AuditAction.RULESET_CREATED, draft, actor=by,
           details={"version": draft.version, "cloned_from": ruleset.version})
    return draft


def _editable(ruleset: RiskRuleset) -> None:
    if ruleset.is_active or ruleset.activated_at is not None:
        raise StateConflict(_("An active or past ruleset is read-only: clone it to change it."),
                            code=RiskErrorCode.RULESET_READ_ONLY)


@transaction.atomic
def rule_save(*, ruleset: RiskRuleset, data: dict, by: User,
              rule: RiskRule | None = None) -> RiskRule:
    """Create or change a rule of a draft ruleset; parameters validated per rule type."""
    _may_edit_rules(by)
    _editable(ruleset)
    params = rule_params_clean(data["rule_type"], data["effect"], data.get("params") or {})
    if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
        raise ValidationError({"valid_to": [_("The period ends before it starts.")]})
    if ruleset.rules.filter(code=data["code"]).exclude(pk=getattr(rule, "pk", None)).exists():
        raise ValidationError({"code": [_("This code is already used in this ruleset.")]})
    created = rule is None
    rule = rule or RiskRule(ruleset=ruleset)
    before = _rule_values(rule)
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    rule.params = params
    rule.save()
    after = _rule_values(rule)
    if created:
        record(None, AuditAction.RISK_RULE_CREATED, rule, actor=by, label=_rule_label(rule),
               details={"ruleset": ruleset.version, "rule": after})
    else:
        changes = {name: {"old": before[name], "new": after[name]} for name in after
                   if before[name] != after[name]}
        if changes:
            record(None, AuditAction.RISK_RULE_CHANGED, rule, actor=by,
                   label=_rule_label(rule), details={"ruleset": ruleset.version, **changes})
    return rule


RULE_FIELDS = ("code", "name", "rule_type", "effect", "points", "valid_from", "valid_to",
               "is_active", "max_hits_without_selection")


def _rule_values(rule: RiskRule) -> dict:
    """What the audit compares before and after a save (JSON-ready: dates as ISO text)."""
    values = {name: getattr(rule, name) for name in (*RULE_FIELDS, "params")}
    return {name: value.isoformat() if hasattr(value, "isoformat") else value
            for name, value in values.items()}


def _rule_label(rule: RiskRule) -> str:
    return f"{rule.code} (v{rule.ruleset.version})"


@transaction.atomic
def rule_delete(*, rule: RiskRule, by: User) -> None:
    """Remove a rule from a draft ruleset."""
    _may_edit_rules(by)
    _editable(rule.ruleset)
    record(None, AuditAction.RISK_RULE_DELETED, rule, actor=by, label=_rule_label(rule),
           details={"ruleset": rule.ruleset.version, "rule": _rule_values(rule)})
    rule.delete()


@transaction.atomic
def ruleset_activate(*, ruleset: RiskRuleset, by: User) -> RiskRuleset:
    """Make a draft the active ruleset (the previous one is kept, read-only, for replay)."""
    _may_edit_rules(by)
    _editable(ruleset)
    previous = RiskRuleset.objects.filter(is_active=True).values_list("version", flat=True)
    previous = previous.first()
    RiskRuleset.objects.select_for_update().filter(is_active=True).update(is_active=False)
    ruleset.is_active, ruleset.activated_at = True, timezone.now()
    ruleset.save(update_fields=["is_active", "activated_at"])
    record(None, AuditAction.RULESET_ACTIVATED, ruleset, actor=by,
           details={"version": ruleset.version, "previous": previous})
    return ruleset


def ruleset_simulate(*, proposed: RiskRuleset, days: int = 30, limit: int = 20_000) -> dict:
    """Replay the last `days` of declarations under the active and the proposed ruleset.

    Pure scoring (no capacity ranking, no counters): the mix each ruleset gives by itself.
    """
    active = ruleset_active()
    since = timezone.now() - timedelta(days=days)
    declarations = list(Declaration.objects.filter(submitted_at__gte=since)
                        .exclude(number__isnull=True).select_related("enterprise")
                        .order_by("-submitted_at")[:limit])
    facts = facts_for(declarations)
    before_rules, before_policy = specs_of(active.rules.all()), policy_of(active)
    after_rules, after_policy = specs_of(proposed.rules.all()), policy_of(proposed)
    ordered = [facts[d.pk] for d in declarations]
    learned_before = learned_for(ordered, before_rules)
    learned_after = learned_for(ordered, after_rules)
    before, after, moved = Counter(), Counter(), Counter()
    for i, declaration in enumerate(declarations):
        a = evaluate(facts[declaration.pk], before_rules, before_policy,
                     learned=learned_before[i]).channel
        b = evaluate(facts[declaration.pk], after_rules, after_policy,
                     learned=learned_after[i]).channel
        before[a] += 1
        after[b] += 1
        if a != b:
            moved[f"{a}->{b}"] += 1
    return {"count": len(declarations), "days": days, "active": active.version,
            "proposed": proposed.version,
            "before": {c: before.get(c, 0) for c in Channel.values},
            "after": {c: after.get(c, 0) for c in Channel.values}, "moved": dict(moved)}
