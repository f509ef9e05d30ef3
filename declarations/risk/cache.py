"""The active ruleset, its rules and the reference-price overrides, kept in each process.

Routing reads them for every declaration; they change when a risk officer activates a ruleset
or edits a price. Saves and deletes clear this process's copy at once (signals); other
processes (workers) reload within MAX_AGE seconds. Every assessment records the ruleset
version it used, so a decision made in that window is still explained and replayable.
"""

from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save

from customs_core.process_cache import ProcessCache

from .models import ReferencePrice, RiskRule, RiskRuleset
from .policy import policy_of, ruleset_active, specs_of

MAX_AGE = 30.0


@dataclass(frozen=True)
class RiskTables:
    ruleset: object
    rules: tuple
    specs: tuple
    policy: object
    reference_prices: dict  # tariff_line_id -> price_usd (a risk officer's override)


def _load() -> RiskTables:
    ruleset = ruleset_active()
    rules = tuple(ruleset.rules.all())
    return RiskTables(ruleset=ruleset, rules=rules,
                      specs=tuple(specs_of(rules)), policy=policy_of(ruleset),
                      reference_prices=dict(ReferencePrice.objects.values_list("tariff_line_id",
                                                                               "price_usd")))


_cache = ProcessCache(_load, max_age=MAX_AGE)
tables = _cache.get
clear = _cache.clear


def connect_signals() -> None:
    for model in (RiskRuleset, RiskRule, ReferencePrice):
        post_save.connect(clear, sender=model, dispatch_uid=f"risk-cache-{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"risk-cache-del-{model.__name__}")
