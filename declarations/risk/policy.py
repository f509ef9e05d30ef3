"""The active ruleset and its conversion to what the pure scorer takes (Policy, RuleSpec):
read by the routing service, the per-process cache and the what-if simulation."""

import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import RiskRuleset
from .scoring import Policy, RuleSpec


def random_secret() -> bytes:
    """The seed of random selection: RISK_RANDOM_SECRET, else derived from SECRET_KEY."""
    configured = getattr(settings, "RISK_RANDOM_SECRET", "")
    return (configured or hashlib.sha256(b"risk:" + settings.SECRET_KEY.encode()).hexdigest()
            ).encode()


def policy_of(ruleset: RiskRuleset) -> Policy:
    return Policy(yellow_threshold=ruleset.yellow_threshold, red_threshold=ruleset.red_threshold,
                  min_random_percent=ruleset.min_random_percent,
                  post_audit_random_percent=ruleset.post_audit_random_percent,
                  secret=random_secret())


def specs_of(rules) -> list[RuleSpec]:
    return [RuleSpec(code=r.code, name=r.name, rule_type=r.rule_type, effect=r.effect,
                     params=r.params, points=r.points, valid_from=r.valid_from,
                     valid_to=r.valid_to, is_active=r.is_active) for r in rules]


def ruleset_active() -> RiskRuleset:
    """The active ruleset; an empty version 1 (thresholds and random floor only) if none."""
    ruleset = RiskRuleset.objects.filter(is_active=True).first()
    if ruleset is not None:
        return ruleset
    try:
        with transaction.atomic():
            return RiskRuleset.objects.create(version=1, name="Default", is_active=True,
                                              activated_at=timezone.now())
    except IntegrityError:  # created concurrently
        return RiskRuleset.objects.get(is_active=True)
