"""The active ruleset, its rules and the reference-price overrides, kept in each process.

Routing reads them for every declaration; they change when a risk officer activates a ruleset
or edits a price. Saves and deletes clear this process's copy at once (signals); other
processes (workers) reload within MAX_AGE seconds. Every assessment records the ruleset
version it used, so a decision made in that window is still explained and replayable.
"""

import threading
import time
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save

MAX_AGE = 30.0


@dataclass(frozen=True)
class RiskTables:
    loaded_at: float
    ruleset: object
    rules: tuple
    specs: tuple
    policy: object
    reference_prices: dict  # tariff_line_id -> price_usd (a risk officer's override)


_lock = threading.Lock()
_tables: RiskTables | None = None


def _load() -> RiskTables:
    from .models import ReferencePrice
    from .services import policy_of, ruleset_active, specs_of

    ruleset = ruleset_active()
    rules = tuple(ruleset.rules.all())
    return RiskTables(loaded_at=time.monotonic(), ruleset=ruleset, rules=rules,
                      specs=tuple(specs_of(rules)), policy=policy_of(ruleset),
                      reference_prices=dict(ReferencePrice.objects.values_list("tariff_line_id",
                                                                               "price_usd")))


def tables() -> RiskTables:
    global _tables
    current = _tables
    if current is None or time.monotonic() - current.loaded_at > MAX_AGE:
        with _lock:
            if _tables is None or time.monotonic() - _tables.loaded_at > MAX_AGE:
                _tables = _load()
            current = _tables
    return current


def clear(**_kwargs) -> None:
    global _tables
    _tables = None


def connect_signals() -> None:
    from .models import ReferencePrice, RiskRule, RiskRuleset

    for model in (RiskRuleset, RiskRule, ReferencePrice):
        post_save.connect(clear, sender=model, dispatch_uid=f"risk-cache-{model.__name__}")
        post_delete.connect(clear, sender=model, dispatch_uid=f"risk-cache-del-{model.__name__}")
