"""The bonded-warehouse pages: the list of warehouses, one warehouse (its stock, its
movements, its monthly report with CSV and XLSX downloads), one lot with the officers'
decisions, the goods past their storage term, the goods held by a warehouse not active; and
the declaration panel's form that names the stock an exit draws on. Scoped as the API is:
an enterprise sees the warehouses it operates and its own goods, nothing else (404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from customs_core.exceptions import ApplicationError, StateConflict
from customs_core.roles import WAREHOUSE_SUPERVISOR_ROLES
from declarations.selectors import declaration_get_for

from . import reports, selectors, services
from .filters import MovementFilterSet, StockFilterSet
from .forms import AdjustmentForm, ExtensionForm, MonthForm, ReasonForm, TransferForm
from .models import StockItem

PAGE_SIZE = 25
ADJUST, TRANSFER, EXTEND = "adj_%s", "trf_%s", "ext_%s"  # the ids of the lot page's forms


def _supervisor(user) -> bool:
    return getattr(user, "role", None) in WAREHOUSE_SUPERVISOR_ROLES


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without(request, *names) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


@login_required
@require_GET
def warehouse_list(request):
    today = timezone.localdate()
    warehouses = selectors.warehouses_visible_to(request.user)
    items = selectors.stock_visible_to(request.user).filter(quantity__gt=0)
    counts = {row["warehouse_id"]: row for row in items.values("warehouse_id").annotate(
        lots=Count("pk"), overdue=Count("pk", filter=Q(overdue_since__isnull=False)))}
    none = {"lots": 0, "overdue": 0}
    rows = [{"warehouse": w, "status": w.status_on(today), **{
        key: counts.get(w.pk, none)[key] for key in ("lots", "overdue")}} for w in warehouses]
    return render(request, "warehouses/list.html", {
        "rows": rows, "supervisor": _supervisor(request.user),
        "overdue": selectors.overdue_visible_to(request.user).count(),
        "held": selectors.held_visible_to(request.user).filter(state="waiting").count()})


@login_required
@require_GET
def warehouse_detail(request, code):
    warehouse = selectors.warehouse_get_for(request.user, code)
    tab = request.GET.get("tab", "stock")
    if tab not in {"stock", "movements", "report"}:
        tab = "stock"
    context = {"w": warehouse, "tab": tab, "status": warehouse.status,
               "every_owner": selectors.may_see_every_owner(request.user, warehouse)}
    if tab == "stock":
        stock = StockFilterSet(request.GET, queryset=selectors.stock_visible_to(request.user)
                               .filter(warehouse=warehouse).order_by("entered_on", "pk"))
        context.update(filter=stock, page=_page(request, stock.qs),
                       query=_query_without(request, "page"))
    elif tab == "movements":
        movements = MovementFilterSet(request.GET, queryset=selectors.movements_visible_to(
            request.user).filter(warehouse=warehouse))
        context.update(filter=movements, page=_page(request, movements.qs),
                       query=_query_without(request, "page"))
    else:
        # Bound only when a month was asked for: the tab's own link (?tab=report) shows this
        # month, not a "required" error.
        form = MonthForm(request.GET if "month" in request.GET else None,
                         initial={"month": timezone.localdate().replace(day=1)})
        month = (form.cleaned_data["month"] if form.is_bound and form.is_valid()
                 else timezone.localdate().replace(day=1))
        owner = None if context["every_owner"] else request.user.enterprise_id
        context.update(form=form, month=month,
                       rows=reports.monthly_report(warehouse, month, owner_id=owner))
    return render(request, "warehouses/detail.html", context)


@login_required
@require_GET
def warehouse_report(request, code):
    warehouse = selectors.warehouse_get_for(request.user, code)
    form = MonthForm(request.GET)
    if not form.is_valid():
        messages.error(request, _("Choose a month (mm/yyyy)."))
        return redirect(reverse("warehouses:detail", args=[code]) + "?tab=report")
    month = form.cleaned_data["month"]
    kind = request.GET.get("download")
    if kind not in {"csv", "xlsx"}:
        kind = "csv"
    owner = (None if selectors.may_see_every_owner(request.user, warehouse)
             else request.user.enterprise_id)
    return reports.report_download(warehouse, month,
                                   reports.monthly_report(warehouse, month, owner_id=owner),
                                   kind)


def _item_context(request, item: StockItem, **forms) -> dict:
    movements = item.movements.select_related("declaration", "actor").order_by("-at", "-id")
    supervisor = _supervisor(request.user)
    return {"item": item, "page": _page(request, movements), "supervisor": supervisor,
            "extensions": item.extensions.select_related("officer"),
            "draws": item.draws.select_related("declaration").exclude(state="named")[:50],
            # Three forms on one page: each its own ids (ADJUST...), or their labels point
            # at the first form's inputs and the others' inputs have no name.
            "adjust_form": forms.get("adjust_form") or AdjustmentForm(auto_id=ADJUST),
            "transfer_form": forms.get("transfer_form") or TransferForm(
                exclude=item.warehouse_id, auto_id=TRANSFER),
            "extend_form": forms.get("extend_form") or ExtensionForm(auto_id=EXTEND),
            "today": timezone.localdate()}


@login_required
@require_GET
def stock_item_detail(request, pk):
    item = selectors.stock_item_get_for(request.user, pk)
    return render(request, "warehouses/item.html", _item_context(request, item))


def _decide(request, pk, form_class, form_name, do, done_message, *, auto_id,
            choices_for=lambda item: {}):
    """An officer's decision on a lot: the form, the service, the message; the page again with
    the form's errors when something is refused. `choices_for(item)`: the form's arguments
    that depend on the lot (the transfer's other warehouses)."""
    item = selectors.stock_item_get_for(request.user, pk)
    if not _supervisor(request.user):
        raise PermissionDenied
    form = form_class(request.POST, auto_id=auto_id, **choices_for(item))
    if form.is_valid():
        try:
            do(item, form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except (ApplicationError, StateConflict) as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, done_message)
            return redirect("warehouses:item", pk=item.pk)
    item.refresh_from_db()
    return render(request, "warehouses/item.html",
                  _item_context(request, item, **{form_name: form}), status=400)


@login_required
@require_POST
def stock_adjust(request, pk):
    return _decide(request, pk, AdjustmentForm, "adjust_form",
                   lambda item, data: services.stock_adjust(item=item, user=request.user,
                                                            **data),
                   _("Adjustment recorded."), auto_id=ADJUST)


@login_required
@require_POST
def stock_transfer(request, pk):
    return _decide(request, pk, TransferForm, "transfer_form",
                   lambda item, data: services.stock_transfer(item=item, user=request.user,
                                                              **data),
                   _("Transfer recorded."), auto_id=TRANSFER,
                   choices_for=lambda item: {"exclude": item.warehouse_id})


@login_required
@require_POST
def term_extend(request, pk):
    return _decide(request, pk, ExtensionForm, "extend_form",
                   lambda item, data: services.term_extend(item=item, user=request.user,
                                                           **data),
                   _("Storage term extended."), auto_id=EXTEND)


@login_required
@require_GET
def overdue_list(request):
    items = selectors.overdue_visible_to(request.user)
    return render(request, "warehouses/overdue.html", {"page": _page(request, items),
                                                       "query": ""})


@login_required
@require_GET
def held_list(request):
    held = selectors.held_visible_to(request.user).order_by("state", "created_at")
    return render(request, "warehouses/held.html", {
        "page": _page(request, held), "query": "", "supervisor": _supervisor(request.user),
        "form": ReasonForm()})


@login_required
@require_POST
def held_apply(request, pk):
    if not _supervisor(request.user):
        raise PermissionDenied
    held = get_object_or_404(selectors.held_visible_to(request.user), pk=pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("An officer's decision on bonded stock gives its reason."))
        return redirect("warehouses:held")
    try:
        services.held_apply(held=held, user=request.user, reason=form.cleaned_data["reason"])
    except (ApplicationError, StateConflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Decision recorded: the goods have moved."))
    return redirect("warehouses:held")


@login_required
@require_POST
def draws_name(request, pk):
    """The declaration panel's form: one select per goods line (blank: not named)."""
    declaration = declaration_get_for(request.user, pk)
    draws = []
    for key, value in request.POST.items():
        if key.startswith("line-") and value:
            try:
                draws.append({"line_no": int(key[5:]), "stock_item": int(value)})
            except ValueError:
                messages.error(request, _("Choose the stock from the list."))
                return redirect("declarations:detail", pk=declaration.pk)
    try:
        services.draws_name(declaration=declaration, user=request.user, draws=draws)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except (ApplicationError, StateConflict) as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Stock named: it is reserved when the declaration is "
                                    "registered."))
    return redirect("declarations:detail", pk=declaration.pk)
