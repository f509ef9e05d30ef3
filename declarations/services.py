"""Writes of the declarations app: one function per use case (STYLE.md)."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum import iso6346

from customs_core import reference_cache
from customs_core.choices import Flow, Role
from customs_core.exceptions import (
    ApplicationError,
    FieldErrors,
    PreconditionFailed,
    StateConflict,
)
from customs_core.models import (
    Currency,
    Enterprise,
    TariffLine,
    User,
)
from customs_core.money import format_number
from customs_core.reference_data import FTA_MEMBERS
from customs_core.selectors import exchange_rate_for, tariff_rate_in_force, week_start

from . import duties
from .choices import CO_FORM_AGREEMENT, DeclarationErrorCode, DocumentType
from .choices import DeclarationState as S
from .models import MAX_GOODS_LINES, Declaration, Document, DutyPayment, GoodsLine
from .risk.services import declaration_clear_if_green_and_paid
from .workflow import transition

# Rounding tolerance between the invoice total and the sum of line values (invoice currency).
TOTAL_TOLERANCE = Decimal("0.01")
# Bounds that keep every stored amount inside its column (issue: nothing that validates may
# overflow). Invoice-currency amounts are NUMERIC(18, 4): below 10^14. Amounts in VND are
# NUMERIC(18, 0); a declaration's customs value is capped at 10^15 VND (about 38 billion USD)
# so that duties, SCT and VAT computed on it (at most ~9x the value) stay far below 10^18.
MAX_QUANTITY = Decimal("1000000000")
MAX_INVOICE_AMOUNT = Decimal("100000000000000")  # exclusive
MAX_CUSTOMS_VALUE_VND = Decimal("1000000000000000")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
ALLOWED_CONTENT_TYPES = {
    "application/pdf": b"%PDF",
    "image/jpeg": b"\xff\xd8\xff",
    "image/png": b"\x89PNG",
}
MAX_AMENDMENTS = 9  # the 12th digit of the number counts amendments (VNACCS)
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
    "bonded_warehouse",
]


# --- validation --------------------------------------------------------------------------------
class _Errors:
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


def _resolve(table: dict, value, errors: _Errors, field: str, message: str, *,
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


def _clean_header(data: dict, errors: _Errors) -> dict:
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
    for field in ("total_invoice_value", "gross_weight_kg"):
        if field in data and data[field] is not None and data[field] <= 0:
            errors.add(field, _("Must be greater than zero."))
    for field in ("freight", "insurance"):
        if data.get(field) is not None and data[field] < 0:
            errors.add(field, _("Must not be negative."))
    if data.get("invoice_date") and data["invoice_date"] > timezone.localdate():
        errors.add("invoice_date", _("The invoice date is in the future."))
    return clean


def _clean_lines(lines: list[dict], errors: _Errors) -> list[dict]:
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


def _check_total(header: dict, lines: list[dict], errors: _Errors) -> None:
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


def _check_costs(header: dict, lines: list[dict], errors: _Errors) -> None:
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


def _check_customs_value(header: dict, lines: list[dict], rate: Decimal | None,
                         errors: _Errors) -> None:
    """The customs value in VND must fit (see MAX_CUSTOMS_VALUE_VND)."""
    values = [line["line_value"] for line in lines]
    if rate is None or not values or any(value is None for value in values):
        return
    costs = (header.get("freight") or Decimal(0)) + (header.get("insurance") or Decimal(0))
    if (sum(values, Decimal(0)) + costs) * rate >= MAX_CUSTOMS_VALUE_VND:
        errors.add("total_invoice_value", _("The customs value would reach %(max)s VND or more: "
                                            "split the goods over several declarations.")
                   % {"max": format_number(MAX_CUSTOMS_VALUE_VND)})


def _check_exchange_rate(currency: Currency | None, on: date, errors: _Errors, *,
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


# --- duties ------------------------------------------------------------------------------------
def _co_agreements(documents: Iterable[Document]) -> frozenset[str]:
    return frozenset(
        CO_FORM_AGREEMENT[doc.co_form]
        for doc in documents
        if doc.doc_type == DocumentType.CERTIFICATE_OF_ORIGIN and doc.co_form
    )


def line_rates_in_force(tariff: TariffLine, on: date) -> duties.LineRates:
    """The calculator's rates for a tariff line on a date (MFN, the FTAs, SCT, EPT, VAT)."""
    cached = reference_cache.tables().tariff_lines.get(tariff.hs_code, tariff)
    rate = tariff_rate_in_force(cached, on)
    if rate is None:
        return duties.LineRates(mfn_rate=Decimal(0))

    ftas = tuple(
        duties.FtaRate(code=code, rate=value, members=FTA_MEMBERS[code])
        for code, value in (("ACFTA", rate.acfta_rate), ("ATIGA", rate.atiga_rate))
        if value is not None
    )
    return duties.LineRates(
        mfn_rate=rate.mfn_rate,
        fta_rates=ftas,
        export_rate=rate.export_rate,
        sct_rate=rate.sct_rate,
        ept_vnd_per_unit=rate.ept_vnd_per_unit,
        vat_rate=rate.vat_rate,
    )


def duties_compute(
    *,
    header: dict,
    lines: list[dict],
    exchange_rate: Decimal,
    on: date,
    co_agreements: frozenset[str],
) -> duties.DutyResult:
    """Duties of a declaration (saved or not) at the rates in force on `on`."""
    regime = header["regime"]
    inputs = tuple(
        duties.LineInput(
            line_no=line["line_no"],
            hs_code=line["tariff_line"].hs_code,
            quantity=Decimal(line["quantity"]),
            unit=line["unit"],
            line_value=Decimal(line["line_value"]),
            origin_country=line["origin_country"].code,
            rates=line_rates_in_force(line["tariff_line"], on),
            preferential_claimed=line["preferential_claimed"] and bool(co_agreements),
            claimed_ftas=co_agreements or None,
        )
        for line in lines
    )
    try:
        result = duties.compute_duties(duties.DeclarationInput(
            flow=duties.Flow(header["flow"]),
            regime=regime.code,
            incoterm=header["incoterm"],
            currency=header["currency"].code,
            exchange_rate=Decimal(exchange_rate),
            lines=inputs,
            freight=Decimal(header.get("freight") or 0),
            insurance=Decimal(header.get("insurance") or 0),
        ))
    except duties.DutyInputError as exc:
        # Validation refuses every input the calculator does (tested); this is the last guard
        # that keeps a case nobody thought of a 400 rather than a 500.
        raise FieldErrors({"non_field_errors": [str(exc)]}) from exc
    if result.customs_value_vnd >= MAX_CUSTOMS_VALUE_VND:  # e.g. the rate rose by submission
        raise FieldErrors({"total_invoice_value": [
            _("The customs value would reach %(max)s VND or more: split the goods over several "
              "declarations.") % {"max": format_number(MAX_CUSTOMS_VALUE_VND)}]})
    return result


def duties_preview(*, user: User, data: dict) -> duties.DutyResult:
    """Duties of unsaved input (the form's live preview); validates like a draft."""
    on = timezone.localdate()
    header, lines, rate = _validated(data, on=on, estimate=True)
    agreements = frozenset(CO_FORM_AGREEMENT[form] for form in data.get("co_forms") or [])
    return duties_compute(
        header=header, lines=lines, exchange_rate=rate, on=on, co_agreements=agreements
    )


LINE_DUTY_FIELDS = ["customs_value_vnd", "duty_schedule", "duty_rate", "import_duty_vnd",
                    "export_duty_vnd", "additional_duty_vnd", "sct_vnd", "ept_vnd", "vat_rate",
                    "vat_vnd", "total_vnd"]
TOTAL_FIELDS = ["customs_value_vnd", "import_duty_vnd", "export_duty_vnd", "additional_duty_vnd",
                "sct_vnd", "ept_vnd", "vat_vnd"]


def _apply_totals(declaration: Declaration, result: duties.DutyResult, rate: Decimal) -> None:
    declaration.exchange_rate = rate
    for name in TOTAL_FIELDS:
        setattr(declaration, name, getattr(result, name))
    declaration.total_duty_vnd = result.total_vnd


def _apply_line_duties(lines: list[GoodsLine], result: duties.DutyResult) -> None:
    for line, computed in zip(lines, result.lines, strict=True):
        for name in LINE_DUTY_FIELDS:
            setattr(line, name, getattr(computed, name))


def _line_dict(line: GoodsLine) -> dict:
    return {"line_no": line.line_no, "tariff_line": line.tariff_line,
            "origin_country": line.origin_country, "quantity": line.quantity, "unit": line.unit,
            "unit_price": line.unit_price, "line_value": line.line_value,
            "preferential_claimed": line.preferential_claimed}


def _header_dict(declaration: Declaration) -> dict:
    return {
        "flow": declaration.flow,
        "regime": declaration.regime,
        "incoterm": declaration.incoterm,
        "currency": declaration.currency,
        "freight": declaration.freight,
        "insurance": declaration.insurance,
    }


def declaration_recompute_duties(declaration: Declaration, *, on: date) -> Declaration:
    """Recompute and store duties at the rates and exchange rate in force on `on`."""
    errors = _Errors()
    rate = _check_exchange_rate(declaration.currency, on, errors)
    errors.raise_if_any()
    lines = list(declaration.lines.select_related("tariff_line", "origin_country")
                 .order_by("line_no"))
    result = duties_compute(header=_header_dict(declaration),
                            lines=[_line_dict(line) for line in lines], exchange_rate=rate, on=on,
                            co_agreements=_co_agreements(declaration.documents.all()))
    _apply_line_duties(lines, result)
    _apply_totals(declaration, result, rate)
    GoodsLine.objects.bulk_update(lines, LINE_DUTY_FIELDS)
    return declaration


# --- use cases ---------------------------------------------------------------------------------
def _require_declarant(user: User) -> Enterprise:
    if user.role != Role.ENTERPRISE or user.enterprise_id is None:
        raise PermissionDenied(_("Only an enterprise declarant may file declarations."))
    return user.enterprise


def _validated(data: dict, *, on: date, estimate: bool = True
               ) -> tuple[dict, list[dict], Decimal | None]:
    errors = _Errors()
    header = _clean_header(data, errors)
    lines = _clean_lines(data.get("lines") or [], errors)
    _check_total(header, lines, errors)
    _check_costs(header, lines, errors)
    rate = _check_exchange_rate(header.get("currency"), on, errors, estimate=estimate)
    _check_customs_value(header, lines, rate, errors)
    errors.raise_if_any()
    return header, lines, rate


def declaration_validate(*, data: dict, on: date | None = None) -> None:
    """Check declaration input as a draft's would be checked, writing nothing (FieldErrors).

    The pages call it on what parsed of a form that has shape errors, so one submission shows
    every problem at once.
    """
    _validated(data, on=on or timezone.localdate())


def _write_lines(declaration: Declaration, lines: list[dict], result: duties.DutyResult,
                 rate: Decimal) -> list[GoodsLine]:
    """Insert the lines with their duties; put the totals on the declaration (not saved)."""
    objects = [GoodsLine(declaration=declaration, **line) for line in lines]
    _apply_line_duties(objects, result)
    _apply_totals(declaration, result, rate)
    return GoodsLine.objects.bulk_create(objects)


def _agreements_of(documents: list[dict]) -> frozenset[str]:
    return frozenset(CO_FORM_AGREEMENT[doc["co_form"]] for doc in documents
                     if doc.get("doc_type") == DocumentType.CERTIFICATE_OF_ORIGIN
                     and doc.get("co_form") in CO_FORM_AGREEMENT)


@transaction.atomic
def declaration_create_draft(*, user: User, data: dict,
                             documents: list[dict] | None = None) -> Declaration:
    """Create a draft with its goods lines (and documents), duties computed at today's rates."""
    enterprise = _require_declarant(user)
    today = timezone.localdate()
    enterprise_check_may_register(enterprise, today)
    header, lines, rate = _validated(data, on=today)
    documents = documents or []
    result = duties_compute(header=header, lines=lines, exchange_rate=rate, on=today,
                            co_agreements=_agreements_of(documents))
    declaration = Declaration(enterprise=enterprise, declarant=user, **header)
    _apply_totals(declaration, result, rate)
    declaration.save()
    written = _write_lines(declaration, lines, result, rate)
    attached = [document_attach(declaration=declaration, user=user, **document)
                for document in documents]
    # The caller renders what was just written: hand it over as if prefetched, no re-read.
    declaration._prefetched_objects_cache = {"lines": written, "documents": attached,
                                             "events": [], "payments": []}
    return declaration


def _check_if_match(declaration: Declaration, if_match: str | None) -> None:
    if if_match and if_match.strip() not in {declaration.etag, f"W/{declaration.etag}", "*"}:
        raise PreconditionFailed(
            _("The declaration changed since you read it: reload it."), etag=declaration.etag
        )


def _locked(declaration: Declaration, *, if_match: str | None, states: set[str],
            refusal: str) -> Declaration:
    """The declaration's row, locked, current (If-Match) and in one of `states`, or 412/409."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    _check_if_match(declaration, if_match)
    if declaration.state not in states:
        raise StateConflict(refusal, code=DeclarationErrorCode.WRONG_STATE,
                            current_state=declaration.state)
    return declaration


def _replace_content(declaration: Declaration, *, header: dict, lines: list[dict],
                     rate: Decimal, on: date) -> None:
    """New header and goods lines, duties at the rates of `on` (the declaration not saved)."""
    result = duties_compute(header=header, lines=lines, exchange_rate=rate, on=on,
                            co_agreements=_co_agreements(declaration.documents.all()))
    for name, value in header.items():
        setattr(declaration, name, value)
    declaration.lines.all().delete()
    _write_lines(declaration, lines, result, rate)


@transaction.atomic
def declaration_update_draft(
    *, declaration: Declaration, user: User, data: dict, if_match: str | None = None
) -> Declaration:
    """Replace a draft's header and lines (the full document: PUT semantics)."""
    declaration = _locked(declaration, if_match=if_match, states={S.DRAFT}, refusal=_(
        "Only a draft can be edited; amend a submitted declaration."))
    today = timezone.localdate()
    header, lines, rate = _validated(data, on=today)
    _replace_content(declaration, header=header, lines=lines, rate=rate, on=today)
    declaration.version = F("version") + 1
    declaration.save()
    declaration.refresh_from_db()
    return declaration


def _check_documents(declaration: Declaration, errors: _Errors) -> None:
    documents = list(declaration.documents.all())
    kinds = {doc.doc_type for doc in documents}
    agreements = _co_agreements(documents)
    regime = declaration.regime
    claims = [
        line
        for line in declaration.lines.select_related("origin_country")
        if line.preferential_claimed
    ]
    if claims and not agreements:
        errors.add(
            "documents",
            _(
                "A preferential rate is claimed: attach the certificate of "
                "origin (e.g. form E for ACFTA, form D for ATIGA)."
            ),
        )
    for line in claims:
        if agreements and not agreements & set(line.origin_country.fta_memberships):
            errors.add(
                "preferential_claimed",
                _("No attached certificate of origin covers origin %(country)s.")
                % {"country": line.origin_country.code},
                line=line.line_no,
            )
    if regime.requires_licence and DocumentType.LICENCE not in kinds:
        errors.add("documents", _("Regime %(code)s requires a licence.") % {"code": regime.code})
    if regime.requires_contract and DocumentType.CONTRACT not in kinds:
        errors.add("documents", _("Regime %(code)s requires the contract.") % {"code": regime.code})


def _enqueue_routing(declaration: Declaration) -> None:
    """Queue risk routing once the submission is committed. The row is the outbox: with the
    broker down the submission still succeeds and the sweeper routes it later."""
    from . import tasks

    declaration_id, amendment_count = declaration.pk, declaration.amendment_count

    def publish_routing():
        # A named function, not functools.partial: when the publish fails, Django's robust
        # on_commit logs func.__qualname__, which a partial does not have (it would raise).
        tasks.declaration_route_task.delay(declaration_id, amendment_count)

    transaction.on_commit(publish_routing, robust=True)


def _issue_number(declaration: Declaration, amendments: int) -> str:
    """12 digits as in VNACCS: 11 identify the declaration, the 12th counts its amendments."""
    prefix = "10" if declaration.flow == Flow.IMPORT else "30"
    return f"{prefix}{declaration.pk:09d}{amendments}"


@transaction.atomic
def declaration_submit(
    *, declaration: Declaration, user: User, if_match: str | None = None
) -> Declaration:
    """Register the declaration: validate, compute duties at today's rates, issue the number."""
    declaration = _locked(declaration, if_match=if_match, states={S.DRAFT},
                          refusal=_("Only a draft can be submitted."))
    today = timezone.localdate()
    enterprise_check_may_register(declaration.enterprise, today)
    errors = _Errors()
    _check_documents(declaration, errors)
    errors.raise_if_any()
    declaration_recompute_duties(declaration, on=today)
    declaration.save()
    now = timezone.now()
    transition(
        declaration, to=S.SUBMITTED, by=user, submitted_at=now, number=_issue_number(declaration, 0)
    )
    _enqueue_routing(declaration)
    return declaration


@transaction.atomic
def declaration_amend(
    *, declaration: Declaration, user: User, data: dict, reason: str, if_match: str | None = None
) -> Declaration:
    """Amend a submitted declaration (or one whose amendment was requested); it is re-scored."""
    declaration = _locked(declaration, if_match=if_match, states={S.SUBMITTED, S.AMEND_REQUESTED},
                          refusal=_("Only a submitted declaration, or one whose amendment was "
                                    "requested, can be amended."))
    if declaration.amendment_count >= MAX_AMENDMENTS:
        raise StateConflict(
            _("This declaration has used all its amendments."),
            code=DeclarationErrorCode.AMENDMENTS_EXHAUSTED,
            current_state=declaration.state,
        )
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    # The tax point stays the registration date (Law 107 Art. 8(2)).
    registered_on = timezone.localdate(declaration.submitted_at)
    enterprise_check_may_register(declaration.enterprise, timezone.localdate())
    header, lines, rate = _validated({**data, "flow": declaration.flow}, on=registered_on,
                                    estimate=False)
    if header["regime"].code != declaration.regime_id:
        raise ValidationError({"regime": [_("An amendment cannot change the regime: cancel "
                                            "and file a new declaration.")]})
    _replace_content(declaration, header=header, lines=lines, rate=rate, on=registered_on)
    errors = _Errors()
    _check_documents(declaration, errors)
    errors.raise_if_any()
    declaration.save()
    amendments = declaration.amendment_count + 1
    transition(
        declaration,
        to=S.SUBMITTED,
        by=user,
        reason=reason,
        amendment_count=amendments,
        number=declaration.number[:11] + str(amendments),
        channel="",
        data={"amendment": amendments},
    )
    _enqueue_routing(declaration)
    return declaration


@transaction.atomic
def declaration_cancel(
    *, declaration: Declaration, user: User, reason: str = "", if_match: str | None = None
) -> Declaration:
    """Cancel a draft, a submitted declaration not yet routed, or one asked to amend."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    _check_if_match(declaration, if_match)
    return transition(declaration, to=S.CANCELLED, by=user, reason=reason)


@transaction.atomic
def declaration_pay(
    *, declaration: Declaration, user: User, amount_vnd: Decimal, reference: str
) -> DutyPayment:
    """Record a duty payment (treasury or bank transfer reference)."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.state in {S.DRAFT, S.CANCELLED}:
        raise StateConflict(
            _("Duties are paid on a registered declaration."),
            code=DeclarationErrorCode.WRONG_STATE,
            current_state=declaration.state,
        )
    outstanding = declaration.outstanding_vnd
    if outstanding <= 0:
        raise StateConflict(
            _("Nothing is due on this declaration."),
            code=DeclarationErrorCode.NOTHING_TO_PAY,
            current_state=declaration.state,
        )
    if amount_vnd <= 0 or amount_vnd > outstanding:
        raise ValidationError(
            {"amount_vnd": [_("Pay between 1 and %(due)s VND.")
                            % {"due": format_number(outstanding)}]}
        )
    if DutyPayment.objects.filter(reference=reference).exists():
        raise ValidationError({"reference": [_("This payment reference was already used.")]})
    payment = DutyPayment.objects.create(
        declaration=declaration,
        amount_vnd=amount_vnd,
        reference=reference,
        paid_by=user,
        paid_at=timezone.now(),
    )
    Declaration.objects.filter(pk=declaration.pk).update(
        paid_vnd=F("paid_vnd") + amount_vnd, version=F("version") + 1
    )
    declaration.refresh_from_db()
    declaration_clear_if_green_and_paid(declaration)
    return payment


# A declarant may attach documents in these states (documents asked for during the check).
DOCUMENT_STATES = frozenset({S.DRAFT, S.SUBMITTED, S.AMEND_REQUESTED, S.YELLOW, S.DOC_CHECK})


def _sniff(upload: UploadedFile) -> bytes:
    head = upload.read(8)
    upload.seek(0)
    return head


@transaction.atomic
def document_attach(
    *,
    declaration: Declaration,
    user: User,
    doc_type: str,
    file: UploadedFile,
    co_form: str = "",
    reference: str = "",
) -> Document:
    """Attach a file (PDF, JPEG or PNG, at most 10 MB) to a draft, an amendable declaration,
    or one in the document check (the officer may ask for documents)."""
    if declaration.state not in DOCUMENT_STATES:
        raise StateConflict(
            _("Documents can no longer be attached in this state."),
            code=DeclarationErrorCode.WRONG_STATE,
            current_state=declaration.state,
        )
    errors = _Errors()
    if doc_type not in DocumentType.values:
        errors.add("doc_type", _("Unknown document type."))
    if doc_type == DocumentType.CERTIFICATE_OF_ORIGIN and co_form not in CO_FORM_AGREEMENT:
        errors.add("co_form", _("Give the form of the certificate of origin (E or D)."))
    if doc_type != DocumentType.CERTIFICATE_OF_ORIGIN:
        co_form = ""
    if file.size > MAX_DOCUMENT_BYTES:
        errors.add("file", _("A document is at most 10 MB."))
    magic = ALLOWED_CONTENT_TYPES.get(file.content_type or "")
    if magic is None or not _sniff(file).startswith(magic):
        errors.add("file", _("Upload a PDF, JPEG or PNG file."))
    errors.raise_if_any()
    return Document.objects.create(
        declaration=declaration,
        doc_type=doc_type,
        co_form=co_form,
        reference=reference[:80],
        file=file,
        original_name=(file.name or "document")[:255],
        content_type=file.content_type,
        size=file.size,
        uploaded_by=user,
    )
