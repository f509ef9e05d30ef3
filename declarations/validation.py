"""Validation of declaration input (header, goods lines, money, documents): what a draft, an
amendment and the live preview refuse, with a message on the field (nested per goods line).
Nothing here writes; `FieldErrors` carries every problem at once."""

import re
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iso6346

from customs_core import reference_cache
from customs_core.choices import Flow
from customs_core.exceptions import ApplicationError, FieldErrors
from customs_core.models import Currency, Enterprise
from customs_core.money import format_number
from customs_core.selectors import exchange_rate_for, week_start

from . import duties
from .choices import DeclarationErrorCode, DocumentType
from .duty_rates import co_agreements
from .models import (
    MAX_CUSTOMS_VALUE_VND,
    MAX_GOODS_LINES,
    MAX_INVOICE_AMOUNT,
    MAX_QUANTITY,
    Declaration,
)

# A vehicle plate as written at the gate (Vietnamese 14C-123.45, Chinese 桂P·12345...): kept
# without spaces, dots or dashes and in capitals, so 14C-123.45 and 14C12345 are one plate.
PLATE = re.compile(r"^[0-9A-Z\u4e00-\u9fff]{4,12}$")


def normalized_plate(value) -> str:
    return re.sub(r"[\s.\-·]", "", str(value)).upper()


# Rounding tolerance between the invoice total and the sum of line values (invoice currency).
TOTAL_TOLERANCE = Decimal("0.01")
HEADER_FIELDS = [
    "flow",
    "regime",
    "office",
    "border_gate",
    "transport_mode",
    "trading_country",
    "partner_name",
    "invoice_number",
    "invoice_date",
    "incoterm",
    "currency",
    "total_invoice_value",
    "freight",
    "insurance",
    "gross_weight_kg",
    "packages",
    "containers",
    "vehicles",
    "bonded_warehouse",
]


class Errors:
    """Collects field errors (nested per goods line) and raises them all at once."""

    def __init__(self):
        self.fields: dict = {}

    def add(self, field: str, message: str, *, line: int | None = None) -> None:
        if line is None:
            self.fields.setdefault(field, []).append(message)
        else:
            lines = self.fields.setdefault("lines", {})
            lines.setdefault(str(line), {}).setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise FieldErrors(self.fields)


def enterprise_check_may_register(enterprise: Enterprise, on: date) -> None:
    """VNACCS refuses registration for a suspended or dissolved firm, or >90 days of tax debt."""
    block = enterprise.registration_block(on)
    messages = {
        "tax_code_invalid": _("The enterprise's tax code is not valid: correct it with the "
                              "branch before registering."),
        "enterprise_suspended": _(
            "The enterprise is suspended: declarations cannot be registered."
        ),
        "enterprise_dissolved": _(
            "The enterprise is dissolved: declarations cannot be registered."
        ),
        "tax_debt_overdue": _(
            "The enterprise has tax debt overdue by more than 90 days: "
            "declarations cannot be registered until it is paid."
        ),
    }
    if block:
        raise ApplicationError(
            messages[block], code=DeclarationErrorCode(block), field="enterprise"
        )


def _resolve(table: dict, value, errors: Errors, field: str, message: str, *,
             line: int | None = None):
    """The reference row keyed `value` in a cached table, or a field error."""
    if value in (None, ""):
        errors.add(field, _("This field is required."), line=line)
        return None
    if not isinstance(value, str):  # a model instance (forms pass objects)
        value = getattr(value, "code", None) or getattr(value, "hs_code", None) or value
    obj = table.get(str(value))
    if obj is None:
        errors.add(field, message % {"value": value}, line=line)
    return obj


def clean_header(data: dict, errors: Errors) -> dict:
    ref = reference_cache.tables()
    clean = {key: data[key] for key in HEADER_FIELDS if key in data}
    clean["regime"] = _resolve(ref.regimes, data.get("regime"), errors, "regime",
                               _("Unknown customs regime %(value)s."))
    if clean["regime"] and clean["regime"].flow != data.get("flow"):
        errors.add(
            "regime",
            _("Regime %(code)s is not a regime of %(flow)s.")
            % {
                "code": clean["regime"].code,
                "flow": Flow(data.get("flow")).label
                if data.get("flow") in Flow.values
                else data.get("flow"),
            },
        )
    for field, table, message in (
        ("office", ref.offices, _("Unknown customs office %(value)s.")),
        ("border_gate", ref.border_gates, _("Unknown border gate %(value)s.")),
        ("trading_country", ref.countries, _("Unknown country %(value)s.")),
        ("currency", ref.currencies, _("Unknown currency %(value)s.")),
    ):
        clean[field] = _resolve(table, data.get(field), errors, field, message)
    regime = clean["regime"]
    if data.get("bonded_warehouse"):
        clean["bonded_warehouse"] = _resolve(ref.bonded_warehouses, data["bonded_warehouse"],
                                             errors, "bonded_warehouse",
                                             _("Unknown bonded warehouse %(value)s."))
    else:
        clean["bonded_warehouse"] = None
        if regime and regime.requires_bonded_warehouse:
            errors.add(
                "bonded_warehouse",
                _(
                    "Regime %(code)s moves goods into or out of a bonded warehouse: name "
                    "the warehouse."
                )
                % {"code": regime.code},
            )
    containers = []
    for raw in data.get("containers") or []:
        number = iso6346.compact(str(raw))
        if not iso6346.is_valid(number):
            errors.add(
                "containers",
                _("%(value)s is not a valid ISO 6346 container number.") % {"value": raw},
            )
        containers.append(number)
    if len(set(containers)) != len(containers):
        errors.add("containers", _("A container number is listed twice."))
    clean["containers"] = containers
    vehicles = [normalized_plate(raw) for raw in data.get("vehicles") or []]
    for raw, plate in zip(data.get("vehicles") or [], vehicles, strict=True):
        if not PLATE.match(plate):
            errors.add("vehicles", _("%(value)s is not a vehicle plate.") % {"value": raw})
    if len(set(vehicles)) != len(vehicles):
        errors.add("vehicles", _("A vehicle is listed twice."))
    clean["vehicles"] = vehicles
    for field in ("total_invoice_value", "gross_weight_kg"):
        if field in data and data[field] is not None and data[field] <= 0:
            errors.add(field, _("Must be greater than zero."))
    for field in ("freight", "insurance"):
        if data.get(field) is not None and data[field] < 0:
            errors.add(field, _("Must not be negative."))
    if data.get("invoice_date") and data["invoice_date"] > timezone.localdate():
        errors.add("invoice_date", _("The invoice date is in the future."))
    return clean


def clean_lines(lines: list[dict], errors: Errors) -> list[dict]:
    ref = reference_cache.tables()
    if not lines:
        errors.add("lines", _("A declaration has at least one goods line."))
        return []
    if len(lines) > MAX_GOODS_LINES:
        errors.add(
            "lines", _("A declaration has at most %(n)d goods lines.") % {"n": MAX_GOODS_LINES}
        )
        return []
    clean = []
    for number, line in enumerate(lines, start=1):
        tariff = _resolve(ref.tariff_lines,
            line.get("hs_code"),
            errors,
            "hs_code",
            _("HS code %(value)s is not in the tariff."),
            line=number,
        )
        origin = _resolve(ref.countries,
            line.get("origin_country"),
            errors,
            "origin_country",
            _("Unknown country %(value)s."),
            line=number,
        )
        quantity, unit_price = line.get("quantity"), line.get("unit_price")
        if quantity is None or quantity <= 0:
            errors.add("quantity", _("The quantity must be greater than zero."), line=number)
        elif quantity > MAX_QUANTITY:
            errors.add("quantity", _("The quantity is at most %(max)s.")
                       % {"max": format_number(MAX_QUANTITY)}, line=number)
        if unit_price is None or unit_price <= 0:
            errors.add("unit_price", _("The unit price must be greater than zero."), line=number)
        line_value = line.get("line_value")
        if quantity and unit_price and quantity > 0 and unit_price > 0:
            computed = (quantity * unit_price).quantize(Decimal("0.0001"))
            if computed >= MAX_INVOICE_AMOUNT:
                errors.add("line_value", _("Quantity × unit price must stay below %(max)s in "
                                           "the invoice currency.")
                           % {"max": format_number(MAX_INVOICE_AMOUNT)}, line=number)
                computed = None
            if computed is None:
                pass
            elif line_value is None:
                line_value = computed
            elif abs(line_value - computed) > TOTAL_TOLERANCE:
                errors.add(
                    "line_value",
                    _("Quantity × unit price is %(computed)s, not %(value)s.")
                    % {"computed": format_number(computed, exact=True),
                       "value": format_number(line_value, exact=True)},
                    line=number,
                )
        clean.append(
            {
                "line_no": number,
                "tariff_line": tariff,
                "origin_country": origin,
                "description": (line.get("description") or "").strip()
                or (tariff.description_vi if tariff else ""),
                "quantity": quantity,
                "unit": tariff.unit if tariff else "",
                "unit_price": unit_price,
                "line_value": line_value,
                "preferential_claimed": bool(line.get("preferential_claimed")),
            }
        )
    return clean


def lines_total(lines: list[dict]) -> Decimal | None:
    """The sum of the lines' values (quantity × unit price where a line gives no value), to
    4 places: what an invoice total left to the system is; None while a line lacks either."""
    values = []
    for line in lines:
        value = line.get("line_value")
        if value is None and line.get("quantity") and line.get("unit_price"):
            value = line["quantity"] * line["unit_price"]
        if value is None:
            return None
        values.append(value)
    return sum(values, Decimal(0)).quantize(Decimal("0.0001")) if values else None


def check_total(header: dict, lines: list[dict], errors: Errors) -> None:
    total = header.get("total_invoice_value")
    values = [line["line_value"] for line in lines if line["line_value"] is not None]
    if total is None or len(values) != len(lines) or not lines:
        return
    line_sum = sum(values, Decimal(0))
    if abs(line_sum - total) > TOTAL_TOLERANCE:
        errors.add(
            "total_invoice_value",
            _("The invoice total %(total)s differs from the sum of the line values %(sum)s.")
            % {"total": format_number(total, exact=True),
               "sum": format_number(line_sum, exact=True)},
        )


def check_costs(header: dict, lines: list[dict], errors: Errors) -> None:
    """Freight and insurance as the incoterm allows them, and whole amounts in a VND invoice
    (what the calculator would otherwise refuse: DUTIES.md 1.1 and 7.2)."""
    flow, incoterm = header.get("flow"), header.get("incoterm")
    if flow not in Flow.values or incoterm not in duties.INCOTERMS:
        return
    freight_sign, insurance_sign = duties.adjustment_signs(duties.Flow(flow), incoterm)
    costs = {"freight": (header.get("freight") or Decimal(0), freight_sign),
             "insurance": (header.get("insurance") or Decimal(0), insurance_sign)}
    for field, (amount, sign) in costs.items():
        if amount and sign == 0:
            errors.add(field, _("%(term)s: the %(flow)s price already includes this cost; "
                                "leave it at zero.")
                       % {"term": incoterm, "flow": Flow(flow).label.lower()})
    currency = header.get("currency")
    if currency is not None and currency.code == "VND":
        for field in ("total_invoice_value", "freight", "insurance"):
            amount = header.get(field)
            if amount is not None and amount != amount.to_integral_value():
                errors.add(field, _("Amounts in VND are whole dong, without decimals."))
        for line in lines:
            value = line["line_value"]
            if value is not None and value != value.to_integral_value():
                errors.add("unit_price", _("In VND, quantity × unit price must be whole dong "
                                           "(it is %(value)s).")
                           % {"value": format_number(value)}, line=line["line_no"])
    values = [line["line_value"] for line in lines]
    if not values or any(value is None for value in values):
        return
    deducted = sum((amount for amount, sign in costs.values() if sign < 0), Decimal(0))
    if deducted and deducted >= sum(values, Decimal(0)):
        errors.add("freight", _("%(term)s: the freight and insurance deducted after the border "
                                "gate (%(deducted)s) must be less than the goods' value.")
                   % {"term": incoterm, "deducted": format_number(deducted)})


def check_customs_value(header: dict, lines: list[dict], rate: Decimal | None,
                         errors: Errors) -> None:
    """The customs value in VND must fit (see MAX_CUSTOMS_VALUE_VND)."""
    values = [line["line_value"] for line in lines]
    if rate is None or not values or any(value is None for value in values):
        return
    costs = (header.get("freight") or Decimal(0)) + (header.get("insurance") or Decimal(0))
    if (sum(values, Decimal(0)) + costs) * rate >= MAX_CUSTOMS_VALUE_VND:
        errors.add("total_invoice_value", _("The customs value would reach %(max)s VND or more: "
                                            "split the goods over several declarations.")
                   % {"max": format_number(MAX_CUSTOMS_VALUE_VND)})


def exchange_rate_check(currency: Currency | None, on: date, errors: Errors, *,
                         estimate: bool = False):
    """The week's customs rate; `estimate` (drafts, previews) may use a rate read <60 s ago."""
    if currency is None:
        return None
    if currency.code == "VND":
        return Decimal(1)
    if estimate:
        rate = reference_cache.exchange_rate_estimate(currency.code, week_start(on))
    else:
        found = exchange_rate_for(currency=currency.code, on=on)
        rate = found.rate_vnd if found else None
    if rate is None:
        errors.add(
            "currency",
            _("No customs exchange rate for %(code)s in the week of %(date)s.")
            % {"code": currency.code, "date": on.isoformat()},
        )
        return None
    return rate


def documents_check(declaration: Declaration, *, lines: list, documents: list,
                    errors: Errors) -> None:
    """The documents registration needs: a certificate of origin covering every preferential
    claim, the licence or contract the regime requires. `lines` and `documents` are the
    declaration's, already read."""
    ref = reference_cache.tables()
    kinds = {doc.doc_type for doc in documents}
    agreements = co_agreements(documents)
    regime = ref.regimes.get(declaration.regime_id) or declaration.regime
    claims = [line for line in lines if line.preferential_claimed]
    if claims and not agreements:
        errors.add("documents", _("A preferential rate is claimed: attach the certificate of "
                                  "origin (e.g. form E for ACFTA, form D for ATIGA)."))
    for line in claims:
        origin = ref.countries.get(line.origin_country_id) or line.origin_country
        if agreements and not agreements & set(origin.fta_memberships):
            errors.add("preferential_claimed",
                       _("No attached certificate of origin covers origin %(country)s.")
                       % {"country": origin.code}, line=line.line_no)
    if regime.requires_licence and DocumentType.LICENCE not in kinds:
        errors.add("documents", _("Regime %(code)s requires a licence.") % {"code": regime.code})
    if regime.requires_contract and DocumentType.CONTRACT not in kinds:
        errors.add("documents", _("Regime %(code)s requires the contract.") % {"code": regime.code})


def validated(data: dict, *, on: date, estimate: bool = True
              ) -> tuple[dict, list[dict], Decimal | None]:
    """Cleaned header, cleaned lines and the week's exchange rate, or FieldErrors with every
    problem. `estimate` (drafts, previews) may use a rate read up to a minute ago."""
    errors = Errors()
    header = clean_header(data, errors)
    lines = clean_lines(data.get("lines") or [], errors)
    check_total(header, lines, errors)
    check_costs(header, lines, errors)
    rate = exchange_rate_check(header.get("currency"), on, errors, estimate=estimate)
    check_customs_value(header, lines, rate, errors)
    errors.raise_if_any()
    return header, lines, rate


def declaration_validate(*, data: dict, on: date | None = None) -> None:
    """Check declaration input as a draft's would be checked, writing nothing (FieldErrors).

    The pages call it on what parsed of a form that has shape errors, so one submission shows
    every problem at once.
    """
    validated(data, on=on or timezone.localdate())


