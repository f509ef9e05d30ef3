"""Loads the shipped reference data (customs_core/data/) into the database, idempotently.

Every loader upserts by natural key, so running `load_reference_data` again after the files change
updates rows in place and never duplicates them.
"""

import csv
import gettext
import json
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pycountry
from babel.numbers import get_currency_precision
from django.db import transaction

from .choices import CapacityUnit, WarehouseKind
from .models import (
    BondedWarehouse,
    BorderGate,
    Country,
    Currency,
    CustomsOffice,
    Enterprise,
    HsNomenclature,
    InspectionSite,
    Regime,
    TariffLine,
    TariffRate,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
# AHTN 2022 took effect with HS 2022; the shipped rates are those in force from this date.
TARIFF_VALID_FROM = date(2022, 1, 1)
ASEAN = frozenset({"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN"})
# Members of the agreements whose schedules the tariff file carries.
FTA_MEMBERS = {"ACFTA": ASEAN | {"CN"}, "ATIGA": ASEAN}

Progress = Callable[[Iterable], Iterable]


def _no_progress(items: Iterable, **_kwargs) -> Iterable:
    return items


def _rate(text: str) -> Decimal | None:
    text = (text or "").strip()
    if not text or text.upper() in {"KCT", "-"}:
        return None
    return Decimal(text)


@transaction.atomic
def countries_load() -> int:
    """ISO 3166-1 countries with Vietnamese names from pycountry's translations."""
    vi = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["vi"], fallback=True)
    for country in pycountry.countries:
        memberships = sorted(fta for fta, members in FTA_MEMBERS.items()
                             if country.alpha_2 in members)
        english = getattr(country, "common_name", None) or country.name
        Country.objects.update_or_create(
            code=country.alpha_2,
            defaults={"alpha_3": country.alpha_3, "name_en": english,
                      "name_vi": vi.gettext(country.name), "fta_memberships": memberships})
    return len(pycountry.countries)


@transaction.atomic
def currencies_load() -> int:
    """ISO 4217 currencies with Vietnamese names and CLDR minor units."""
    vi = gettext.translation("iso4217", pycountry.LOCALES_DIR, languages=["vi"], fallback=True)
    for currency in pycountry.currencies:
        Currency.objects.update_or_create(
            code=currency.alpha_3,
            defaults={"name_en": currency.name, "name_vi": vi.gettext(currency.name),
                      "decimals": get_currency_precision(currency.alpha_3)})
    return len(pycountry.currencies)


@transaction.atomic
def hs_nomenclature_load(progress: Progress = _no_progress) -> int:
    """The HS 2022 chapters, headings and subheadings (UN Comtrade file, PDDL)."""
    with open(DATA_DIR / "hs2022" / "harmonized-system.csv", newline="", encoding="utf-8") as f:
        rows = [row for row in csv.DictReader(f) if row.get("hscode") and row["hscode"] != "TOTAL"]
    existing = set(HsNomenclature.objects.values_list("code", flat=True))
    # Parents come before children in the file; insert level by level so foreign keys resolve.
    count = 0
    for level in (2, 4, 6):
        batch = [HsNomenclature(code=row["hscode"], level=level, section=row["section"],
                                description=" ".join(row["description"].split()),
                                parent_id=None if row["parent"] == "TOTAL" else row["parent"])
                 for row in progress(rows, desc=f"HS level {level}")
                 if int(row["level"]) == level and row["hscode"] not in existing]
        HsNomenclature.objects.bulk_create(batch, batch_size=1000)
        count += len(batch)
    return count


@transaction.atomic
def tariff_load(progress: Progress = _no_progress) -> int:
    """Vietnam's 8-digit tariff lines and their rates from tariff_vn.csv."""
    with open(DATA_DIR / "tariff_vn.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    for row in progress(rows, desc="tariff lines"):
        line, _ = TariffLine.objects.update_or_create(
            hs_code=row["hs_code"],
            defaults={
                "subheading_id": row["hs_code"][:6],
                "description_vi": row["description_vi"].strip(),
                "description_en": row["description_en"].strip(),
                "unit": row["unit"].strip(),
                "reference_unit_price_usd": _rate(row.get("reference_unit_price_usd", "")),
            })
        TariffRate.objects.update_or_create(
            tariff_line=line, valid_from=TARIFF_VALID_FROM,
            defaults={
                "mfn_rate": _rate(row["mfn_rate"]) or Decimal(0),
                "acfta_rate": _rate(row["acfta_rate"]),
                "atiga_rate": _rate(row["atiga_rate"]),
                "vat_rate": _rate(row["vat_rate"]),
                "sct_rate": _rate(row["sct_rate"]),
                "ept_vnd_per_unit": _rate(row["ept_vnd_per_unit"]),
                "ept_unit": (row.get("ept_unit") or "").strip(),
                "export_rate": _rate(row["export_rate"]),
            })
    return len(rows)


def _flag(value: str) -> bool:
    return str(value).strip() in {"1", "true", "True", "yes"}


@transaction.atomic
def regimes_load() -> int:
    """VNACCS customs type codes (regimes.csv)."""
    with open(DATA_DIR / "regimes.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    flags = ["requires_bonded_warehouse", "duty_exempt", "duty_free_at_entry", "requires_licence",
             "requires_contract", "processing", "temporary"]
    for row in rows:
        Regime.objects.update_or_create(
            code=row["code"],
            defaults={"flow": row["flow"], "name_vi": row["name_vi"], "name_en": row["name_en"],
                      **{flag: _flag(row.get(flag, "0")) for flag in flags}})
    return len(rows)


@transaction.atomic
def places_load() -> int:
    """The branch, its border gates, inspection sites and bonded warehouses (offices.json)."""
    data = json.loads((DATA_DIR / "offices.json").read_text(encoding="utf-8"))
    offices = {}
    for row in data["offices"]:
        offices[row["code"]], _ = CustomsOffice.objects.update_or_create(
            code=row["code"], defaults={"name_vi": row["name_vi"], "name_en": row["name_en"],
                                        "province": row.get("province", "")})
    default_office = next(iter(offices.values()))
    gates = {}
    for row in data["border_gates"]:
        gates[row["code"]], _ = BorderGate.objects.update_or_create(
            code=row["code"],
            defaults={"office": offices.get(row.get("office"), default_office),
                      "name_vi": row["name_vi"], "name_en": row["name_en"],
                      "kind": row.get("kind", ""),
                      "transport_modes": row.get("transport_modes", [])})
    for row in data["inspection_sites"]:
        InspectionSite.objects.update_or_create(
            code=row["code"],
            defaults={"office": offices.get(row.get("office"), default_office),
                      "border_gate": gates.get(row.get("border_gate")),
                      "name_vi": row["name_vi"], "name_en": row["name_en"]})
    for row in data.get("bonded_warehouses", []):
        operator = None
        if row.get("operator_tax_code"):
            # The operator is an enterprise: known by its tax code, created with the licence's
            # name if the branch has not met it yet.
            operator, _ = Enterprise.objects.get_or_create(
                tax_code=row["operator_tax_code"],
                defaults={"name": row.get("operator_name", row["operator_tax_code"])})
        BondedWarehouse.objects.update_or_create(
            code=row["code"],
            defaults={"office": offices.get(row.get("office"), default_office),
                      "name_vi": row["name_vi"], "name_en": row["name_en"],
                      "kind": row.get("kind", WarehouseKind.BONDED_WAREHOUSE),
                      "operator": operator, "address": row.get("location", ""),
                      "capacity": int(row.get("capacity", row.get("capacity_m2", 0)) or 0),
                      "capacity_unit": row.get("capacity_unit", CapacityUnit.SQUARE_METRES),
                      "licence_number": row.get("licence_no", ""),
                      "licence_valid_from": row.get("licence_date") or None,
                      "licence_valid_to": row.get("licence_valid_to") or None})
    return len(data["offices"]) + len(gates)


def working_periods_load() -> int:
    """The branch's weekly working hours, if none were entered (idempotent)."""
    from .models import WorkingPeriod
    from .working_hours import DEFAULT_PERIODS

    if WorkingPeriod.objects.exists():
        return 0
    rows = [WorkingPeriod(weekday=day, start=start, end=end)
            for day, spans in DEFAULT_PERIODS.items() for start, end in spans]
    WorkingPeriod.objects.bulk_create(rows)
    return len(rows)


# Loaders of the apps above (their own reference tables, e.g. inspection's teams), run after
# customs_core's: name -> callable returning a count. Apps register from AppConfig.ready().
_APP_LOADERS: dict[str, Callable[[], int]] = {}


def register_loader(name: str, loader: Callable[[], int]) -> None:
    _APP_LOADERS[name] = loader


def reference_data_load(progress: Progress = _no_progress) -> dict[str, int]:
    """Everything the app needs before its first declaration, in dependency order."""
    from . import reference_cache

    reference_cache.clear()
    counts = {
        "countries": countries_load(),
        "currencies": currencies_load(),
        "hs_nomenclature": hs_nomenclature_load(progress),
        "tariff_lines": tariff_load(progress),
        "regimes": regimes_load(),
        "places": places_load(),
        "working_periods": working_periods_load(),
    }
    for name, loader in _APP_LOADERS.items():
        counts[name] = loader()
    return counts
