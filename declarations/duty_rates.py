"""The rates in force and the duty calculator's adapter: goods lines (saved, or cleaned input
rows) in, `duties.compute_duties` out, the results put back on the lines and the declaration.

Public: the live preview, registration and amendments compute through it, and so will
inspection findings (duties from the values found) and bonded-warehouse releases.
"""

from collections.abc import Iterable, Mapping
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from customs_core import reference_cache
from customs_core.exceptions import FieldErrors
from customs_core.models import TariffLine
from customs_core.money import format_number
from customs_core.reference_data import FTA_MEMBERS
from customs_core.selectors import tariff_rate_in_force

from . import duties
from .choices import CO_FORM_AGREEMENT, DocumentType
from .models import MAX_CUSTOMS_VALUE_VND, Declaration, Document, GoodsLine

LINE_DUTY_FIELDS = ["customs_value_vnd", "duty_schedule", "duty_rate", "import_duty_vnd",
                    "export_duty_vnd", "additional_duty_vnd", "sct_vnd", "ept_vnd", "vat_rate",
                    "vat_vnd", "total_vnd"]
TOTAL_FIELDS = ["customs_value_vnd", "import_duty_vnd", "export_duty_vnd", "additional_duty_vnd",
                "sct_vnd", "ept_vnd", "vat_vnd"]


# --- certificates of origin -------------------------------------------------------------------
def co_agreements(documents: Iterable[Document]) -> frozenset[str]:
    """The agreements the attached certificates of origin prove origin under."""
    return frozenset(CO_FORM_AGREEMENT[doc.co_form] for doc in documents
                     if doc.doc_type == DocumentType.CERTIFICATE_OF_ORIGIN and doc.co_form)


def agreements_of(documents: list[dict]) -> frozenset[str]:
    """co_agreements() of documents still to be attached (dicts with doc_type, co_form)."""
    return frozenset(CO_FORM_AGREEMENT[doc["co_form"]] for doc in documents
                     if doc.get("doc_type") == DocumentType.CERTIFICATE_OF_ORIGIN
                     and doc.get("co_form") in CO_FORM_AGREEMENT)


# --- rates and the adapter ----------------------------------------------------------------------
def line_rates_in_force(tariff: TariffLine, on: date) -> duties.LineRates:
    """The calculator's rates for a tariff line on a date (MFN, the FTAs, SCT, EPT, VAT)."""
    cached = reference_cache.tables().tariff_lines.get(tariff.hs_code, tariff)
    rate = tariff_rate_in_force(cached, on)
    if rate is None:
        return duties.LineRates(mfn_rate=Decimal(0))
    ftas = tuple(duties.FtaRate(code=code, rate=value, members=FTA_MEMBERS[code])
                 for code, value in (("ACFTA", rate.acfta_rate), ("ATIGA", rate.atiga_rate))
                 if value is not None)
    return duties.LineRates(mfn_rate=rate.mfn_rate, fta_rates=ftas, export_rate=rate.export_rate,
                            sct_rate=rate.sct_rate, ept_vnd_per_unit=rate.ept_vnd_per_unit,
                            vat_rate=rate.vat_rate)


def calculator_line(row, *, on: date, agreements: frozenset[str],
                    rates: duties.LineRates | None = None) -> duties.LineInput:
    """The calculator's input for one goods line: a saved GoodsLine or a cleaned input row (a
    mapping with the same names: line_no, tariff_line, origin_country, quantity, unit,
    line_value, preferential_claimed). `rates` overrides the rates in force (a generator that
    keeps its own)."""
    if isinstance(row, Mapping):
        get, tariff, origin = row.__getitem__, row["tariff_line"], row["origin_country"]
        origin = origin if isinstance(origin, str) else origin.code
    else:  # a saved line: its tariff line from the process cache, no query per line
        get, origin = row.__getattribute__, row.origin_country_id
        tariff = reference_cache.tables().row(TariffLine, row.tariff_line_id) or row.tariff_line
    return duties.LineInput(
        line_no=get("line_no"), hs_code=tariff.hs_code, quantity=Decimal(get("quantity")),
        unit=get("unit"), line_value=Decimal(get("line_value")), origin_country=origin,
        rates=rates or line_rates_in_force(tariff, on),
        preferential_claimed=get("preferential_claimed") and bool(agreements),
        claimed_ftas=agreements or None)


def header_of(declaration: Declaration) -> dict:
    """What the calculator reads of a saved declaration's header (reference rows attached)."""
    ref = reference_cache.tables()
    return {"flow": declaration.flow,
            "regime": ref.regimes.get(declaration.regime_id) or declaration.regime,
            "incoterm": declaration.incoterm,
            "currency": ref.currencies.get(declaration.currency_id) or declaration.currency,
            "freight": declaration.freight, "insurance": declaration.insurance}


def duties_compute(*, header: dict, lines: list, exchange_rate: Decimal, on: date,
                   co_agreements: frozenset[str]) -> duties.DutyResult:
    """Duties of a declaration (saved or not) at the rates in force on `on`."""
    inputs = tuple(calculator_line(line, on=on, agreements=co_agreements) for line in lines)
    try:
        result = duties.compute_duties(duties.DeclarationInput(
            flow=duties.Flow(header["flow"]), regime=header["regime"].code,
            incoterm=header["incoterm"], currency=header["currency"].code,
            exchange_rate=Decimal(exchange_rate), lines=inputs,
            freight=Decimal(header.get("freight") or 0),
            insurance=Decimal(header.get("insurance") or 0)))
    except duties.DutyInputError as exc:
        # Validation refuses every input the calculator does (tested); this is the last guard
        # that keeps a case nobody thought of a 400 rather than a 500.
        raise FieldErrors({"non_field_errors": [str(exc)]}) from exc
    if result.customs_value_vnd >= MAX_CUSTOMS_VALUE_VND:  # e.g. the rate rose by submission
        raise FieldErrors({"total_invoice_value": [
            _("The customs value would reach %(max)s VND or more: split the goods over several "
              "declarations.") % {"max": format_number(MAX_CUSTOMS_VALUE_VND)}]})
    return result


# --- results back onto the rows -------------------------------------------------------------------
def apply_totals(declaration: Declaration, result: duties.DutyResult, rate: Decimal) -> None:
    """The totals and the exchange rate on the declaration (not saved)."""
    declaration.exchange_rate = rate
    for name in TOTAL_FIELDS:
        setattr(declaration, name, getattr(result, name))
    declaration.total_duty_vnd = result.total_vnd


def apply_line_duties(lines: list[GoodsLine], result: duties.DutyResult) -> None:
    """Each line's duties onto its GoodsLine (not saved)."""
    for line, computed in zip(lines, result.lines, strict=True):
        for name in LINE_DUTY_FIELDS:
            setattr(line, name, getattr(computed, name))


def totals_fields(declaration: Declaration) -> dict:
    """The stored totals as UPDATE fields (a transition writes them with the state)."""
    return {"exchange_rate": declaration.exchange_rate, "total_duty_vnd":
            declaration.total_duty_vnd, **{name: getattr(declaration, name)
                                           for name in TOTAL_FIELDS}}
