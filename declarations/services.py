"""Writes of the declarations app: one function per use case (STYLE.md).

Validation lives in validation.py, the duty adapter in duty_rates.py, documents in
documents.py; these use cases call them and the workflow's transition().
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from customs_core.bulk import insert_rows
from customs_core.choices import Flow, Role
from customs_core.exceptions import PreconditionFailed, StateConflict
from customs_core.models import Enterprise, User
from customs_core.money import format_number

from . import duties
from .choices import CO_FORM_AGREEMENT, DeclarationErrorCode, DocumentType
from .choices import DeclarationState as S
from .documents import document_attach
from .duty_rates import (
    LINE_DUTY_FIELDS,
    agreements_of,
    apply_line_duties,
    apply_totals,
    co_agreements,
    duties_compute,
    header_of,
    totals_fields,
)
from .events import StateChange
from .models import MAX_GOODS_LINES, Declaration, DeclarationEvent, DutyPayment, GoodsLine
from .validation import (
    HEADER_FIELDS,
    Errors,
    documents_check,
    enterprise_check_may_register,
    exchange_rate_check,
    lines_total,
    validated,
)
from .workflow import transition

MAX_AMENDMENTS = 9  # the 12th digit of the number counts amendments (VNACCS)


def duties_preview(*, user: User, data: dict) -> duties.DutyResult:
    """Duties of unsaved input (the form's live preview); validates like a draft."""
    on = timezone.localdate()
    header, lines, rate = validated(data, on=on, estimate=True)
    agreements = frozenset(CO_FORM_AGREEMENT[form] for form in data.get("co_forms") or [])
    return duties_compute(header=header, lines=lines, exchange_rate=rate, on=on,
                          co_agreements=agreements)


# --- helpers of the use cases -------------------------------------------------------------------
def _require_declarant(user: User) -> Enterprise:
    if user.role != Role.ENTERPRISE or user.enterprise_id is None:
        raise PermissionDenied(_("Only an enterprise declarant may file declarations."))
    return user.enterprise


LINE_COLUMNS = [f.attname for f in GoodsLine._meta.concrete_fields if f.attname != "id"]


def _write_lines(declaration: Declaration, lines: list[dict], result: duties.DutyResult,
                 rate: Decimal) -> list[GoodsLine]:
    """Insert the lines with their duties; put the totals on the declaration (not saved).

    Inserted as plain rows (COPY on PostgreSQL): bulk_create's UNNEST arrays are escaped by
    psycopg in Python value by value, a fifth of a declaration POST. Nothing reads the lines'
    ids back (they are found by declaration and line number)."""
    objects = [GoodsLine(declaration=declaration, **line) for line in lines]
    apply_line_duties(objects, result)
    apply_totals(declaration, result, rate)
    insert_rows(GoodsLine, LINE_COLUMNS,
                [tuple(getattr(line, column) for column in LINE_COLUMNS) for line in objects])
    return objects


def _check_if_match(declaration: Declaration, if_match: str | None) -> None:
    if if_match and if_match.strip() not in {declaration.etag, f"W/{declaration.etag}", "*"}:
        raise PreconditionFailed(_("The declaration changed since you read it: reload it."),
                                 etag=declaration.etag)


def _locked(declaration: Declaration, *, if_match: str | None, states: set[str],
            refusal: str) -> Declaration:
    """The declaration's row (with its enterprise), locked, current (If-Match) and in one of
    `states`, or 412/409."""
    declaration = (Declaration.objects.select_for_update(of=("self",))
                   .select_related("enterprise").get(pk=declaration.pk))
    _check_if_match(declaration, if_match)
    if declaration.state not in states:
        raise StateConflict(refusal, code=DeclarationErrorCode.WRONG_STATE,
                            current_state=declaration.state)
    return declaration


def _replace_content(declaration: Declaration, *, header: dict, lines: list[dict],
                     rate: Decimal, on: date, documents: list) -> list[GoodsLine]:
    """New header and goods lines, duties at the rates of `on` (the declaration not saved)."""
    result = duties_compute(header=header, lines=lines, exchange_rate=rate, on=on,
                            co_agreements=co_agreements(documents))
    for name, value in header.items():
        setattr(declaration, name, value)
    declaration.lines.all().delete()
    return _write_lines(declaration, lines, result, rate)


def _recompute(declaration: Declaration, *, lines: list[GoodsLine], documents: list,
               on: date) -> None:
    """Duties of the saved lines at the rates and the exchange rate in force on `on`: lines
    updated in one statement, totals put on the declaration (not saved)."""
    errors = Errors()
    header = header_of(declaration)
    rate = exchange_rate_check(header["currency"], on, errors)
    errors.raise_if_any()
    result = duties_compute(header=header, lines=lines, exchange_rate=rate,
                            on=on, co_agreements=co_agreements(documents))
    apply_line_duties(lines, result)
    apply_totals(declaration, result, rate)
    GoodsLine.objects.bulk_update(lines, LINE_DUTY_FIELDS)


def _as_read(declaration: Declaration, *, lines: list, documents: list) -> Declaration:
    """The declaration handed back to the caller as if its relations were prefetched (the API
    renders it without reading it again)."""
    events = list(DeclarationEvent.objects.filter(declaration=declaration)
                  .select_related("actor").order_by("at", "id"))
    declaration._prefetched_objects_cache = {
        "lines": lines, "documents": documents, "events": events,
        "payments": list(declaration.payments.all()) if declaration.paid_vnd else []}
    return declaration


def _issue_number(declaration: Declaration, amendments: int) -> str:
    """12 digits as in VNACCS: 11 identify the declaration, the 12th counts its amendments."""
    prefix = "10" if declaration.flow == Flow.IMPORT else "30"
    return f"{prefix}{declaration.pk:09d}{amendments}"


# --- use cases ------------------------------------------------------------------------------------
@transaction.atomic
def declaration_create_draft(*, user: User, data: dict,
                             documents: list[dict] | None = None) -> Declaration:
    """Create a draft with its goods lines (and documents), duties computed at today's rates."""
    enterprise = _require_declarant(user)
    today = timezone.localdate()
    enterprise_check_may_register(enterprise, today)
    header, lines, rate = validated(data, on=today)
    documents = documents or []
    result = duties_compute(header=header, lines=lines, exchange_rate=rate, on=today,
                            co_agreements=agreements_of(documents))
    declaration = Declaration(enterprise=enterprise, declarant=user, **header,
                              documents_expected=data.get("documents_expected") or [])
    apply_totals(declaration, result, rate)
    # One INSERT ... RETURNING id, without save()'s machinery (no signal listens here).
    Declaration.objects.bulk_create([declaration])
    written = _write_lines(declaration, lines, result, rate)
    attached = [document_attach(declaration=declaration, user=user, **document)
                for document in documents]
    # The caller renders what was just written: hand it over as if prefetched, no re-read.
    declaration._prefetched_objects_cache = {"lines": written, "documents": attached,
                                             "events": [], "payments": []}
    return declaration


# What "new from this declaration" carries over (issue: header, parties, goods lines and the
# documents' metadata) and what it leaves behind: the number, the shipment's own numbers
# (invoice, containers, vehicles) and dates, the state and channel, duties and payments; the
# duties are computed again at today's rates and exchange rate.
COPIED_HEADER = ["flow", "regime", "office", "border_gate", "transport_mode", "trading_country",
                 "partner_name", "incoterm", "currency", "total_invoice_value", "freight",
                 "insurance", "gross_weight_kg", "packages", "bonded_warehouse"]
COPIED_LINE = ["description", "origin_country", "quantity", "unit_price", "line_value",
               "preferential_claimed"]


def _input_of(declaration: Declaration) -> dict:
    """A saved declaration's header as service input (codes, as the API takes them)."""
    data = {name: getattr(declaration, name) for name in HEADER_FIELDS}
    data.update(regime=declaration.regime.code, office=declaration.office.code,
                border_gate=declaration.border_gate.code,
                trading_country=declaration.trading_country_id,
                currency=declaration.currency_id,
                bonded_warehouse=declaration.bonded_warehouse.code
                if declaration.bonded_warehouse else None)
    return data


def _line_input(line: GoodsLine) -> dict:
    return {"hs_code": line.tariff_line.hs_code, "origin_country": line.origin_country_id,
            **{name: getattr(line, name) for name in COPIED_LINE if name != "origin_country"}}


def _expected_of(documents) -> list[dict]:
    """The metadata of a declaration's documents (and of those it still expected)."""
    return [{"doc_type": doc.doc_type, "co_form": doc.co_form, "reference": doc.reference}
            for doc in documents]


@transaction.atomic
def declaration_copy(*, declaration: Declaration, user: User) -> Declaration:
    """A new draft from a past declaration of the user's enterprise (any state); see
    COPIED_HEADER. The invoice date starts at today and the invoice number empty: registration
    asks for this shipment's."""
    enterprise = _require_declarant(user)
    if declaration.enterprise_id != enterprise.pk:
        raise PermissionDenied(_("Only your enterprise's declarations can be copied."))
    source = (Declaration.objects.select_related("regime", "office", "border_gate",
                                                 "bonded_warehouse")
              .prefetch_related("lines__tariff_line", "documents").get(pk=declaration.pk))
    data = {name: value for name, value in _input_of(source).items() if name in COPIED_HEADER}
    data.update(invoice_number="", invoice_date=timezone.localdate(), containers=[],
                vehicles=[], lines=[_line_input(line) for line in source.lines.all()])
    attached = _expected_of(source.documents.all())
    data["documents_expected"] = attached + [entry for entry in source.documents_expected
                                             if entry not in attached]
    return declaration_create_draft(user=user, data=data)


@transaction.atomic
def declaration_lines_import(*, declaration: Declaration, user: User, lines: list[dict],
                             replace: bool = False, if_match: str | None = None) -> Declaration:
    """Goods lines read from a spreadsheet into a draft, after its own lines (or in their
    place): validated with the whole draft like lines typed by hand, the invoice total set to
    the sum of the lines, duties at today's rates. All or nothing."""
    _require_declarant(user)
    declaration = _locked(declaration, if_match=if_match, states={S.DRAFT}, refusal=_(
        "Goods lines are imported into a draft only."))
    kept = [] if replace else [_line_input(line) for line in
                               declaration.lines.select_related("tariff_line")
                               .order_by("line_no")]
    if len(kept) + len(lines) > MAX_GOODS_LINES:
        raise ValidationError({"file": [
            _("The draft has %(kept)d goods lines; %(new)d more would make %(total)d, and a "
              "declaration has at most %(max)d.")
            % {"kept": len(kept), "new": len(lines), "total": len(kept) + len(lines),
               "max": MAX_GOODS_LINES}]})
    data = _input_of(declaration)
    data["lines"] = kept + [{key: line[key] for key in
                             ("hs_code", "description", "origin_country", "quantity",
                              "unit_price", "line_value", "preferential_claimed")}
                            for line in lines]
    data["total_invoice_value"] = lines_total(data["lines"])
    return _draft_replace(declaration, data)


def documents_missing(declaration: Declaration, documents: list) -> list[dict]:
    """The expected documents (a copied draft's list) with no attached document of their type
    (and C/O form)."""
    attached = {(doc.doc_type, doc.co_form) for doc in documents}
    return [entry for entry in declaration.documents_expected
            if (entry.get("doc_type"), entry.get("co_form", "")) not in attached]


@transaction.atomic
def declaration_expected_remove(*, declaration: Declaration, user: User, index: int,
                                if_match: str | None = None) -> Declaration:
    """Strike an entry off a draft's expected documents (not needed for this shipment)."""
    _require_declarant(user)
    declaration = _locked(declaration, if_match=if_match, states={S.DRAFT},
                          refusal=_("Only a draft's expected documents can be changed."))
    expected = list(declaration.documents_expected)
    if not 0 <= index < len(expected):
        raise ValidationError({"index": [_("No such expected document.")]})
    del expected[index]
    Declaration.objects.filter(pk=declaration.pk).update(documents_expected=expected,
                                                         version=F("version") + 1)
    declaration.refresh_from_db()
    return declaration


@transaction.atomic
def declaration_update_draft(*, declaration: Declaration, user: User, data: dict,
                             if_match: str | None = None) -> Declaration:
    """Replace a draft's header and lines (the full document: PUT semantics)."""
    declaration = _locked(declaration, if_match=if_match, states={S.DRAFT}, refusal=_(
        "Only a draft can be edited; amend a submitted declaration."))
    return _draft_replace(declaration, data)


def _draft_replace(declaration: Declaration, data: dict) -> Declaration:
    """A locked draft's header and lines replaced by `data`, duties at today's rates."""
    today = timezone.localdate()
    header, lines, rate = validated(data, on=today)
    documents = list(declaration.documents.all())
    written = _replace_content(declaration, header=header, lines=lines, rate=rate, on=today,
                               documents=documents)
    if "documents_expected" in data:
        declaration.documents_expected = data["documents_expected"]
    declaration.version = F("version") + 1
    declaration.save()
    declaration.refresh_from_db(fields=["version", "updated_at"])
    return _as_read(declaration, lines=written, documents=documents)


@transaction.atomic
def declaration_submit(*, declaration: Declaration, user: User,
                       if_match: str | None = None) -> Declaration:
    """Register the declaration: validate, compute duties at today's rates, issue the number.

    Entering "submitted" is announced to the subscribers (the risk engine queues routing)."""
    declaration = _locked(declaration, if_match=if_match, states={S.DRAFT},
                          refusal=_("Only a draft can be submitted."))
    today = timezone.localdate()
    enterprise_check_may_register(declaration.enterprise, today)
    lines = list(declaration.lines.order_by("line_no"))
    documents = list(declaration.documents.all())
    errors = Errors()
    documents_check(declaration, lines=lines, documents=documents, errors=errors)
    if not declaration.invoice_number.strip():
        errors.add("invoice_number", _("Enter this shipment's invoice number."))
    for entry in documents_missing(declaration, documents):
        label = DocumentType(entry["doc_type"]).label if entry["doc_type"] in \
            DocumentType.values else entry["doc_type"]
        document = " ".join(filter(None, [str(label).lower(), entry.get("reference", "")]))
        errors.add("documents", _("Attach the %(document)s listed on this draft, or remove it "
                                  "from the list.") % {"document": document})
    errors.raise_if_any()
    _recompute(declaration, lines=lines, documents=documents, on=today)
    # The duties, the number and the state in one conditional UPDATE.
    transition(declaration, to=S.SUBMITTED, by=user, submitted_at=timezone.now(),
               number=_issue_number(declaration, 0), **totals_fields(declaration))
    return _as_read(declaration, lines=lines, documents=documents)


@transaction.atomic
def declaration_amend(*, declaration: Declaration, user: User, data: dict, reason: str,
                      if_match: str | None = None) -> Declaration:
    """Amend a submitted declaration (or one whose amendment was requested); it is re-scored."""
    declaration = _locked(declaration, if_match=if_match, states={S.SUBMITTED, S.AMEND_REQUESTED},
                          refusal=_("Only a submitted declaration, or one whose amendment was "
                                    "requested, can be amended."))
    if declaration.amendment_count >= MAX_AMENDMENTS:
        raise StateConflict(_("This declaration has used all its amendments."),
                            code=DeclarationErrorCode.AMENDMENTS_EXHAUSTED,
                            current_state=declaration.state)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("A reason is required.")]})
    # The tax point stays the registration date (Law 107 Art. 8(2)).
    registered_on = timezone.localdate(declaration.submitted_at)
    enterprise_check_may_register(declaration.enterprise, timezone.localdate())
    header, lines, rate = validated({**data, "flow": declaration.flow}, on=registered_on,
                                    estimate=False)
    if header["regime"].code != declaration.regime_id:
        raise ValidationError({"regime": [_("An amendment cannot change the regime: cancel "
                                            "and file a new declaration.")]})
    documents = list(declaration.documents.all())
    written = _replace_content(declaration, header=header, lines=lines, rate=rate,
                               on=registered_on, documents=documents)
    errors = Errors()
    documents_check(declaration, lines=written, documents=documents, errors=errors)
    errors.raise_if_any()
    declaration.save()
    amendments = declaration.amendment_count + 1
    transition(declaration, to=S.SUBMITTED, by=user, reason=reason, amendment_count=amendments,
               number=declaration.number[:11] + str(amendments), channel="",
               data={"amendment": amendments})
    return _as_read(declaration, lines=written, documents=documents)


@transaction.atomic
def declaration_cancel(*, declaration: Declaration, user: User, reason: str = "",
                       if_match: str | None = None) -> Declaration:
    """Cancel a draft, a submitted declaration not yet routed, or one asked to amend."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    _check_if_match(declaration, if_match)
    return transition(declaration, to=S.CANCELLED, by=user, reason=reason)


@transaction.atomic
def declaration_pay(*, declaration: Declaration, user: User, amount_vnd: Decimal,
                    reference: str) -> DutyPayment:
    """Record a duty payment (treasury or bank transfer reference); a green declaration it
    settles clears at once."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    if declaration.state in {S.DRAFT, S.CANCELLED}:
        raise StateConflict(_("Duties are paid on a registered declaration."),
                            code=DeclarationErrorCode.WRONG_STATE,
                            current_state=declaration.state)
    outstanding = declaration.outstanding_vnd
    if outstanding <= 0:
        raise StateConflict(_("Nothing is due on this declaration."),
                            code=DeclarationErrorCode.NOTHING_TO_PAY,
                            current_state=declaration.state)
    if amount_vnd <= 0 or amount_vnd > outstanding:
        raise ValidationError({"amount_vnd": [_("Pay between 1 and %(due)s VND.")
                                              % {"due": format_number(outstanding)}]})
    if DutyPayment.objects.filter(reference=reference).exists():
        raise ValidationError({"reference": [_("This payment reference was already used.")]})
    payment = DutyPayment.objects.create(declaration=declaration, amount_vnd=amount_vnd,
                                         reference=reference, paid_by=user,
                                         paid_at=timezone.now())
    Declaration.objects.filter(pk=declaration.pk).update(paid_vnd=F("paid_vnd") + amount_vnd,
                                                         version=F("version") + 1)
    declaration.refresh_from_db()
    declaration_clear_if_settled(declaration)
    return payment


def declaration_recompute_duties(declaration: Declaration, *, on: date) -> Declaration:
    """Recompute and store a declaration's duties at the rates and exchange rate of `on`
    (public: inspection findings and warehouse releases change what is due)."""
    lines = list(declaration.lines.order_by("line_no"))
    _recompute(declaration, lines=lines, documents=list(declaration.documents.all()), on=on)
    Declaration.objects.filter(pk=declaration.pk).update(version=F("version") + 1,
                                                         **totals_fields(declaration))
    declaration.refresh_from_db(fields=["version"])
    return declaration


# --- automatic clearance of green declarations (DESIGN.md §4) -------------------------------------
def declaration_clear_if_settled(declaration: Declaration) -> bool:
    """A green declaration clears by itself once nothing is owed. The one service for it:
    called when a declaration enters green (the subscriber below, whatever moved it there:
    routing, an approved lowering) and when a payment settles it. The caller passes a current
    copy (locked, or just moved)."""
    if declaration.state != S.GREEN or not declaration.duties_settled:
        return False
    transition(declaration, to=S.CLEARED, by=None, cleared_at=timezone.now())
    return True


def clear_when_green_and_settled(change: StateChange) -> None:
    """State-change subscriber (declarations' own, registered in apps.py) on entering green."""
    declaration_clear_if_settled(change.declaration)


@transaction.atomic
def declaration_duties_reassess(*, declaration: Declaration, rows: list[dict]) -> tuple:
    """Duties from the values an inspection found (the same calculator, the registration
    date's rates and exchange rate), stored as the declaration's totals: what is due grows by
    the difference, the declared goods lines stay as declared. `rows` are cleaned line rows
    (line_no, tariff_line, origin_country, quantity, unit, line_value, preferential_claimed).
    Returns (total before, total now)."""
    declaration = Declaration.objects.select_for_update().get(pk=declaration.pk)
    on = timezone.localdate(declaration.submitted_at)
    documents = list(declaration.documents.all())
    result = duties_compute(header=header_of(declaration), lines=rows,
                            exchange_rate=declaration.exchange_rate, on=on,
                            co_agreements=co_agreements(documents))
    before = declaration.total_duty_vnd
    apply_totals(declaration, result, declaration.exchange_rate)
    Declaration.objects.filter(pk=declaration.pk).update(version=F("version") + 1,
                                                         **totals_fields(declaration))
    return before, declaration.total_duty_vnd
