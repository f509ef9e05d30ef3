"""Pages: the enterprise portal (file, follow, pay, amend, cancel) and the officers' lists."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customs_core.audit.choices import AuditAction
from customs_core.audit.services import record_officer_read
from customs_core.exceptions import ApplicationError, PreconditionFailed, StateConflict

from . import services
from .actions import declaration_actions
from .choices import DocumentType
from .documents import document_attach, document_served
from .duties import DutyInputError
from .filters import DeclarationFilterSet
from .forms import (
    DeclarationForm,
    DocumentForm,
    GoodsLineForm,
    GoodsLineFormSet,
    LinesUploadForm,
    PayForm,
    Problem,
    ReasonForm,
    problems_from_fields,
    problems_of,
)
from .guidance import next_step, submitted_message
from .models import MAX_GOODS_LINES, Declaration
from .panels import panels_for
from .paperwork import (
    SHEET_TYPES,
    declaration_pdf_response,
    lines_file_response,
    receipt_pdf_response,
    rows_from_upload,
    upload_too_big,
    upload_too_big_message,
)
from .selectors import (
    declaration_detail_for,
    declaration_get_for,
    declarations_visible_to,
    document_get_for,
    hs_suggestions_for,
    with_reference_rows,
)
from .spreadsheet import column_label
from .validation import declaration_validate, lines_total


def expected_documents(declaration: Declaration) -> list[dict]:
    """A copied draft's expected documents as the page lists them (label, attached or not)."""
    missing = services.documents_missing(declaration, list(declaration.documents.all()))
    entries = []
    for entry in declaration.documents_expected:
        kind = entry.get("doc_type")
        label = DocumentType(kind).label if kind in DocumentType.values else kind
        if entry.get("co_form"):
            label = f"{label} ({entry['co_form']})"
        entries.append({**entry, "label": label, "attached": entry not in missing})
    return entries


def _require_declarant(request):
    if not request.user.is_declarant:
        raise PermissionDenied


def _apply_errors(exc: ValidationError, form, formset, *, only_new: bool = False) -> None:
    """Put a service's field errors on the form fields (goods lines on their formset rows);
    with `only_new`, only on fields that have no error of their own yet (one pass)."""
    fields = getattr(exc, "fields", None) or {"__all__": exc.messages}
    for name, messages_ in fields.items():
        if name == "lines" and isinstance(messages_, dict):
            for number, line_fields in messages_.items():
                index = int(number) - 1
                row = formset.forms[index] if 0 <= index < len(formset.forms) else None
                for field, line_messages in line_fields.items():
                    if row is None:
                        for message in line_messages:
                            form.add_error(None, message)
                        continue
                    target = field if field in row.fields else None
                    if only_new and target and row.has_error(target):
                        continue
                    for message in line_messages:
                        row.add_error(target, message)
            continue
        if name == "lines" and only_new and formset.non_form_errors():
            continue
        target = name if name in form.fields else None
        if only_new and target and form.has_error(target):
            continue
        for message in messages_:
            form.add_error(target, message)


def _check_what_parsed(form, formset, *, on=None) -> None:
    """One pass: the services' checks over the fields that parsed, so that the declarant sees
    every problem of the form at once and not the meaning errors after the shape errors."""
    data = _service_data(form, formset)
    try:
        declaration_validate(data=data, on=on)
    except ValidationError as exc:
        _apply_errors(exc, form, formset, only_new=True)


def _service_lines(formset) -> list[dict]:
    """Every row, in order (line n is row n-1), with the fields of it that parsed."""
    return [dict(getattr(row, "cleaned_data", {})) for row in formset.forms]


def _service_data(form, formset) -> dict:
    """The form as service input; an invoice total left empty is the sum of the lines."""
    data = {**form.service_data(), "lines": _service_lines(formset)}
    if data.get("total_invoice_value") is None:
        total = lines_total(data["lines"])
        if total is None:
            data.pop("total_invoice_value", None)
        else:
            data["total_invoice_value"] = total
    return data


def _plain(value: Decimal) -> Decimal:
    """1.250000 as 1.25 in the form's inputs (the stored scale is not what was typed)."""
    return value.normalize() if value is not None else None


def _initial_lines(declaration: Declaration | None):
    if declaration is None:
        return None
    return [{"hs_code": line.tariff_line.hs_code, "description": line.description,
             "origin_country": line.origin_country_id, "quantity": _plain(line.quantity),
             "unit_price": _plain(line.unit_price),
             "preferential_claimed": line.preferential_claimed}
            for line in declaration.lines.all()]


def _initial_header(declaration: Declaration) -> dict:
    has_co = any(doc.doc_type == DocumentType.CERTIFICATE_OF_ORIGIN
                 for doc in declaration.documents.all())
    return {"flow": declaration.flow, "regime": declaration.regime_id,
            "office": declaration.office.code, "border_gate": declaration.border_gate.code,
            "transport_mode": declaration.transport_mode,
            "trading_country": declaration.trading_country_id,
            "partner_name": declaration.partner_name,
            "invoice_number": declaration.invoice_number,
            "invoice_date": declaration.invoice_date, "incoterm": declaration.incoterm,
            "currency": declaration.currency_id,
            "total_invoice_value": _plain(declaration.total_invoice_value),
            "freight": _plain(declaration.freight), "insurance": _plain(declaration.insurance),
            "gross_weight_kg": _plain(declaration.gross_weight_kg),
            "packages": declaration.packages,
            "containers": "\n".join(declaration.containers),
            "vehicles": "\n".join(declaration.vehicles),
            "bonded_warehouse": declaration.bonded_warehouse.code
            if declaration.bonded_warehouse else None, "has_co": has_co}


@login_required
def declaration_list(request):
    queryset = declarations_visible_to(request.user)
    filterset = DeclarationFilterSet(request.GET or None, queryset=queryset)
    declarations = filterset.qs if filterset.is_bound and filterset.is_valid() else (
        queryset if not filterset.is_bound else queryset.none())
    page = Paginator(declarations, 25).get_page(request.GET.get("page"))
    page.object_list = with_reference_rows(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "declarations/list.html",
                  {"filter": filterset, "page": page, "query": query.urlencode()})


@login_required
def declaration_detail(request, pk):
    declaration = declaration_detail_for(request.user, pk)
    actions = declaration_actions(request.user, declaration)
    context = {"d": declaration, "actions": actions, "panels": panels_for(request, declaration),
               "documents_expected": expected_documents(declaration),
               "reason_form": ReasonForm(), "document_form": DocumentForm(),
               "pay_form": PayForm(initial={"amount_vnd": declaration.outstanding_vnd}),
               "next_step": next_step(state=declaration.state, channel=declaration.channel,
                                      outstanding_vnd=declaration.outstanding_vnd)
               if request.user.is_declarant else None}
    # After the panels: the risk panel notes the assessment it showed, and this row carries it.
    record_officer_read(request, AuditAction.DECLARATION_VIEWED, declaration)
    return render(request, "declarations/detail.html", context)


def _lines_from_sheet(request, *, declaration, amend):
    """The form again with the spreadsheet's rows as its goods lines, each wrong cell marked
    (row and column of the spreadsheet in the summary). Nothing is saved: the declarant
    corrects the rows in place, or keeps only the valid ones, and saves."""
    initial = {key: value for key, value in request.POST.items()
               if not key.startswith("lines-") and key != "csrfmiddlewaretoken"}
    form = DeclarationForm(initial={**(_initial_header(declaration) if declaration else {}),
                                    **initial})
    upload = LinesUploadForm(request.POST, request.FILES)
    # Until the file is read, the lines stay as the declarant left them (not saved yet).
    formset = GoodsLineFormSet(prefix="lines", initial=_posted_lines(request.POST))
    problems: list[Problem] = []
    context = {"d": declaration, "amend": amend, "reason": request.POST.get("reason", ""),
               "upload_form": upload}
    file = request.FILES.get("lines_file") if upload.is_valid() else None
    if upload_too_big(request):
        problems.append(Problem(upload_too_big_message(), anchor="id_lines_file"))
    elif file is None:
        problems.append(Problem(_("Choose the spreadsheet to read."), anchor="id_lines_file"))
    else:
        try:
            lines, errors = rows_from_upload(file)
        except ValidationError as exc:
            problems += [Problem(message, anchor="id_lines_file") for message in exc.messages]
        else:
            skipped = [line for line in lines if line["row"] in errors]
            if upload.cleaned_data["valid_only"]:
                lines = [line for line in lines if line["row"] not in errors]
            formset = GoodsLineFormSet(_formset_data(lines), prefix="lines")
            formset.is_valid()
            for index, line in enumerate(lines):
                for column, column_messages in errors.get(line["row"], {}).items():
                    problems += _sheet_problems(formset.forms[index], index, line["row"],
                                                column, column_messages)
            text = (_("%(file)s: %(n)d rows read; %(bad)d need correcting, marked below.")
                    % {"file": file.name, "n": len(lines), "bad": len(errors)}
                    if errors and not upload.cleaned_data["valid_only"] else
                    _("%(file)s: %(n)d rows read as goods lines; check them and save the draft.")
                    % {"file": file.name, "n": len(lines)})
            if skipped and upload.cleaned_data["valid_only"]:
                text += " " + _("Rows left out: %(rows)s.") % {
                    "rows": ", ".join(str(line["row"]) for line in skipped)}
            messages.info(request, text)
    return render(request, "declarations/form.html",
                  {**context, "form": form, "formset": formset, "problems": problems})


def _posted_lines(post) -> list[dict]:
    """The goods-line rows of a posted form, as typed, for showing them again unsaved."""
    try:
        total = min(int(post.get("lines-TOTAL_FORMS", "0")), MAX_GOODS_LINES)
    except ValueError:
        total = 0
    names = ("hs_code", "description", "origin_country", "quantity", "unit_price")
    return [{**{name: post.get(f"lines-{index}-{name}", "") for name in names},
             "preferential_claimed": bool(post.get(f"lines-{index}-preferential_claimed"))}
            for index in range(total)]


def _formset_data(lines: list[dict]) -> dict:
    """A bound formset's data from spreadsheet rows, numbers written the language's way."""
    data = {"lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1", "lines-MAX_NUM_FORMS": "50"}
    for index, line in enumerate(lines):
        for name in ("hs_code", "description", "origin_country", "quantity", "unit_price"):
            value = line.get(name)
            data[f"lines-{index}-{name}"] = "" if value is None else (
                formats.localize_input(value) if isinstance(value, Decimal) else str(value))
        if line.get("preferential_claimed") is True:
            data[f"lines-{index}-preferential_claimed"] = "on"
    return data


def _sheet_problems(row, index: int, sheet_row: int, column: str, column_messages) -> list:
    field = column if column in row.fields else None
    problems = []
    for message in column_messages:
        if field is None or not row.has_error(field):
            row.add_error(field, message)
        problems.append(Problem(str(message), _("Row %(row)d, %(column)s")
                                % {"row": sheet_row, "column": column_label(column)},
                                f"id_lines-{index}-{field or 'hs_code'}"))
    return problems


def _form_page(request, *, declaration: Declaration | None, amend: bool):
    if request.method == "POST" and "import_lines" in request.POST:
        return _lines_from_sheet(request, declaration=declaration, amend=amend)
    if request.method == "POST":
        form = DeclarationForm(request.POST, request.FILES,
                               initial=_initial_header(declaration) if declaration else None)
        formset = GoodsLineFormSet(request.POST, prefix="lines")
        reason = request.POST.get("reason", "")
        if not (form.is_valid() & formset.is_valid()):  # `&`: both, for all their errors
            # An amendment keeps the registration date's rates (the tax point).
            on = timezone.localdate(declaration.submitted_at) if amend else None
            _check_what_parsed(form, formset, on=on)
        else:
            data = _service_data(form, formset)
            documents = []
            if form.cleaned_data.get("co_file"):
                documents.append({"doc_type": DocumentType.CERTIFICATE_OF_ORIGIN,
                                  "co_form": form.cleaned_data["co_form"],
                                  "reference": form.cleaned_data.get("co_reference", ""),
                                  "file": form.cleaned_data["co_file"]})
            try:
                with transaction.atomic():
                    if declaration is None:
                        declaration = services.declaration_create_draft(
                            user=request.user, data=data, documents=documents)
                        messages.success(request, _("Draft saved. Check the duties, then "
                                                    "submit."))
                    else:
                        for document in documents:
                            document_attach(declaration=declaration, user=request.user,
                                                     **document)
                        if amend:
                            services.declaration_amend(declaration=declaration,
                                                       user=request.user, data=data,
                                                       reason=reason)
                            messages.success(request, _("Amendment registered."))
                        else:
                            services.declaration_update_draft(declaration=declaration,
                                                              user=request.user, data=data)
                            messages.success(request, _("Draft saved."))
                return redirect("declarations:detail", pk=declaration.pk)
            except ValidationError as exc:
                _apply_errors(exc, form, formset)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            except (StateConflict, PreconditionFailed) as exc:
                messages.error(request, exc.message)
                return redirect("declarations:detail", pk=declaration.pk)
    else:
        form = DeclarationForm(initial=_initial_header(declaration) if declaration else None)
        formset = GoodsLineFormSet(prefix="lines", initial=_initial_lines(declaration))
        reason = ""
    return render(request, "declarations/form.html",
                  {"form": form, "formset": formset, "d": declaration, "amend": amend,
                   "reason": reason, "upload_form": LinesUploadForm(),
                   "problems": problems_of(form, formset) if form.is_bound else []})


@login_required
def declaration_new(request):
    _require_declarant(request)
    return _form_page(request, declaration=None, amend=False)


@login_required
def declaration_edit(request, pk):
    _require_declarant(request)
    declaration = declaration_get_for(request.user, pk)
    actions = declaration_actions(request.user, declaration)
    if "edit" in actions:
        return _form_page(request, declaration=declaration, amend=False)
    if "amend" in actions:
        return _form_page(request, declaration=declaration, amend=True)
    messages.error(request, _("This declaration can no longer be changed."))
    return redirect("declarations:detail", pk=pk)


@login_required
def goods_line_row(request):
    """htmx: one empty goods-line row with the given formset index."""
    try:
        index = int(request.GET.get("index", ""))
    except ValueError:
        return HttpResponseBadRequest("index")
    if not 0 <= index < 50:
        return HttpResponseBadRequest("index")
    row = GoodsLineForm(prefix=f"lines-{index}", use_required_attribute=False)
    return render(request, "declarations/_line_row.html", {"row": row, "index": index})


@login_required
@require_POST
def duty_preview(request):
    """htmx: duties of the form as it stands (nothing is written), or what stops them."""
    form = DeclarationForm(request.POST, preview=True)
    formset = GoodsLineFormSet(request.POST, prefix="lines")
    result, problems = None, []
    if form.is_valid() & formset.is_valid():  # `&`: both, for all their errors
        data = _service_data(form, formset)
        co_form = form.cleaned_data.get("co_form")
        data["co_forms"] = [co_form] if co_form else []
        try:
            result = services.duties_preview(user=request.user, data=data)
        except ValidationError as exc:
            problems = problems_from_fields(getattr(exc, "fields", None)
                                            or {"__all__": exc.messages})
        except DutyInputError as exc:
            problems = [Problem(_("The duties cannot be computed from these values: "
                                  "%(reason)s") % {"reason": exc})]
    else:
        _check_what_parsed(form, formset)
        found = problems_of(form, formset)
        # While the declarant is still typing, "required" on every empty field is noise:
        # say what is wrong with what was typed, and that the rest is still missing.
        problems = [p for p in found if p.code != "required"]
        if len(problems) < len(found):
            problems.append(Problem(_("Complete the declaration and its lines to see the "
                                      "duties.")))
    return render(request, "declarations/_duty_preview.html",
                  {"result": result, "problems": problems,
                   "currency": request.POST.get("currency", "USD")})


def _action(request, pk, do):
    _require_declarant(request)
    declaration = declaration_get_for(request.user, pk)
    try:
        do(declaration)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except (ApplicationError, StateConflict, PreconditionFailed) as exc:
        messages.error(request, exc.message)
    return redirect("declarations:detail", pk=pk)


@login_required
@require_POST
def declaration_submit(request, pk):
    def do(declaration):
        services.declaration_submit(declaration=declaration, user=request.user)
        declaration.refresh_from_db()  # routing may already have run (eager Celery)
        messages.success(request, submitted_message(
            number=declaration.number, channel=declaration.channel,
            outstanding_vnd=declaration.outstanding_vnd))

    return _action(request, pk, do)


@login_required
@require_POST
def declaration_cancel(request, pk):
    form = ReasonForm(request.POST)

    def do(declaration):
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        services.declaration_cancel(declaration=declaration, user=request.user, reason=reason)
        messages.success(request, _("Declaration cancelled."))

    return _action(request, pk, do)


@login_required
@require_POST
def declaration_pay(request, pk):
    form = PayForm(request.POST)

    def do(declaration):
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        services.declaration_pay(declaration=declaration, user=request.user,
                                 **form.cleaned_data)
        messages.success(request, _("Payment recorded."))

    return _action(request, pk, do)


@login_required
@require_POST
def document_upload(request, pk):
    form = DocumentForm(request.POST, request.FILES)

    def do(declaration):
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        document_attach(declaration=declaration, user=request.user,
                                 **form.cleaned_data)
        messages.success(request, _("Document attached."))

    return _action(request, pk, do)


@login_required
def document_file(request, pk, doc_pk):
    """An attached document, for whoever may see the declaration (404 for anyone else)."""
    document = document_get_for(request.user, declaration_id=pk, document_id=doc_pk)
    return document_served(request, document)


@login_required
@require_POST
def declaration_copy(request, pk):
    _require_declarant(request)
    source = declaration_get_for(request.user, pk)
    try:
        copy = services.declaration_copy(declaration=source, user=request.user)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("declarations:detail", pk=pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("declarations:detail", pk=pk)
    messages.success(request, _("New draft from declaration %(number)s: enter this shipment's "
                                "invoice, containers and vehicles, then check the lines.")
                     % {"number": source.number or f"#{source.pk}"})
    return redirect("declarations:edit", pk=copy.pk)


@login_required
@require_POST
def expected_remove(request, pk, index):
    def do(declaration):
        services.declaration_expected_remove(declaration=declaration, user=request.user,
                                             index=index)
        messages.success(request, _("Removed from the documents to attach."))

    return _action(request, pk, do)


@login_required
def lines_template(request):
    return lines_file_response(None, request.GET.get("as"))


@login_required
def lines_export(request, pk, kind):
    if kind not in SHEET_TYPES:
        raise Http404
    declaration = declaration_detail_for(request.user, pk)
    response = lines_file_response(declaration, kind)
    record_officer_read(request, AuditAction.DECLARATION_PRINTED, declaration,
                        details={"format": f"lines.{kind}"})
    return response


@login_required
def declaration_print(request, pk):
    declaration = declaration_detail_for(request.user, pk)
    response = declaration_pdf_response(declaration)
    record_officer_read(request, AuditAction.DECLARATION_PRINTED, declaration,
                        details={"format": "pdf"})
    return response


@login_required
def declaration_receipt(request, pk):
    declaration = declaration_detail_for(request.user, pk)
    try:
        response = receipt_pdf_response(declaration)
    except StateConflict as exc:
        messages.error(request, exc.message)
        return redirect("declarations:detail", pk=pk)
    record_officer_read(request, AuditAction.DECLARATION_PRINTED, declaration,
                        details={"format": "receipt.pdf"})
    return response


@login_required
def hs_suggest(request):
    """htmx: tariff lines for what is typed in a goods line's HS code cell."""
    query = request.GET.get("q", "")[:100]
    row = request.GET.get("row", "")
    suggestions = hs_suggestions_for(request.user, query, limit=8) if query.strip() else []
    return render(request, "declarations/_hs_suggestions.html",
                  {"suggestions": suggestions, "query": query,
                   "row": row if row.isdigit() else ""})


def detail_url(declaration: Declaration) -> str:
    return reverse("declarations:detail", args=[declaration.pk])
