"""An in-process cache of the small, slow-changing reference tables.

Every declaration write resolves a regime, an office, a border gate, countries, a currency and
tariff lines with their rates: ~20 queries per 5-line declaration when done row by row. These
tables are small (the whole Vietnamese tariff is ~11,000 lines) and change by decree, so each
process keeps them in memory and reloads them wholesale:

- at once in this process when a row of them is saved or deleted (signals below) and when
  `load_reference_data` runs;
- at most MAX_AGE seconds late in other processes (gunicorn workers, Celery workers), which
  never applies a superseded rate because rates are effective-dated rows chosen by date.
"""

import time
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.db.models.signals import post_delete, post_save

from .process_cache import ProcessCache

MAX_AGE = 300.0


@dataclass
class _Tables:
    regimes: dict = field(default_factory=dict)
    offices: dict = field(default_factory=dict)
    border_gates: dict = field(default_factory=dict)
    bonded_warehouses: dict = field(default_factory=dict)
    countries: dict = field(default_factory=dict)
    currencies: dict = field(default_factory=dict)
    tariff_lines: dict = field(default_factory=dict)
    by_id: dict = field(default_factory=dict)  # model -> {pk: row}, for rows with numeric keys

    def row(self, model, pk):
        """A cached row by primary key (None when absent)."""
        return self.by_id.get(model, {}).get(pk)


def _load() -> _Tables:
    from .models import (
        BondedWarehouse,
        BorderGate,
        Country,
        Currency,
        CustomsOffice,
        Regime,
        TariffLine,
        TariffRate,
    )

    rates = Prefetch("rates", queryset=TariffRate.objects.order_by("-valid_from"),
                     to_attr="rates_desc")
    offices = list(CustomsOffice.objects.all())
    gates = list(BorderGate.objects.all())
    warehouses = list(BondedWarehouse.objects.all())
    tariff = list(TariffLine.objects.prefetch_related(rates))
    return _Tables(
        regimes={r.code: r for r in Regime.objects.all()},
        offices={o.code: o for o in offices},
        border_gates={g.code: g for g in gates if g.is_active},
        bonded_warehouses={w.code: w for w in warehouses},
        countries={c.code: c for c in Country.objects.all()},
        currencies={c.code: c for c in Currency.objects.all()},
        tariff_lines={t.hs_code: t for t in tariff},
        by_id={CustomsOffice: {o.pk: o for o in offices}, BorderGate: {g.pk: g for g in gates},
               BondedWarehouse: {w.pk: w for w in warehouses},
               TariffLine: {t.pk: t for t in tariff}},
    )


_cache = ProcessCache(_load, max_age=MAX_AGE)


def tables() -> _Tables:
    """The cached tables, (re)loaded when missing or older than MAX_AGE."""
    return _cache.get()


def clear(**_kwargs) -> None:
    _cache.clear()
    _rates.clear()


# Exchange rates of a week, for draft estimates only: registration always reads the database
# (a rate published during the week replaces a carried-forward one; DUTIES.md 1.3).
RATE_MAX_AGE = 60.0
_rates: dict[tuple[str, object], tuple[float, object]] = {}


def exchange_rate_estimate(currency: str, week):
    """The rate_vnd of (currency, week) as seen at most RATE_MAX_AGE seconds ago, or None."""
    from .models import ExchangeRate

    key = (currency, week)
    hit = _rates.get(key)
    if hit is not None and time.monotonic() - hit[0] <= RATE_MAX_AGE:
        return hit[1]
    value = next(iter(ExchangeRate.objects.filter(currency_id=currency, week_start=week)
                      .order_by().values_list("rate_vnd", flat=True)[:1]), None)
    _rates[key] = (time.monotonic(), value)
    return value


def connect_signals() -> None:
    from .models import (
        BondedWarehouse,
        BorderGate,
        Country,
        Currency,
        CustomsOffice,
        ExchangeRate,
        Regime,
        TariffLine,
        TariffRate,
    )

    for model in (Regime, CustomsOffice, BorderGate, BondedWarehouse, Country, Currency,
                  TariffLine, TariffRate, ExchangeRate):
        post_save.connect(clear, sender=model, dispatch_uid=f"reference-cache-{model.__name__}")
        post_delete.connect(clear, sender=model,
                            dispatch_uid=f"reference-cache-del-{model.__name__}")
