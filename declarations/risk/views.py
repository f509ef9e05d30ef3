"""Risk pages: rulesets and rules, what-if simulation, reference prices, channel requests, and
the channel overrides posted from the officers' panel on a declaration.

Risk data is confidential: an enterprise user gets 404 on every page here (never confirm that
anything exists); an officer whose role may see but not act gets 403.
"""

import json
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from customs_core.exceptions import StateConflict
from customs_core.roles import (
    BRANCH_LEADER_ROLES,
    CHANNEL_RAISER_ROLES,
    RISK_EDITOR_ROLES,
    RISK_VIEWER_ROLES,
)
from customs_core.selectors import tariff_line_get

from ..choices import Channel
from ..selectors import declaration_get_for
from . import selectors, services
from .choices import RuleType
from .forms import (
    ChannelChangeForm,
    CloneForm,
    DecideForm,
    ReferencePriceForm,
    RuleForm,
    SimulateForm,
    TariffSearchForm,
    params_text,
)
from .models import RiskRule, RiskRuleset
from .reference_prices import reference_price_clear, reference_price_set
from .rules import EXAMPLES

VIEWERS, EDITORS, DECIDERS = RISK_VIEWER_ROLES, RISK_EDITOR_ROLES, BRANCH_LEADER_ROLES
CHANNEL_COLOURS = {Channel.GREEN: "#1f8a4c", Channel.YELLOW: "#c99a06", Channel.RED: "#c0392b"}
RULE_FIELDS = ("code", "name", "rule_type", "effect", "points", "valid_from", "valid_to",
               "is_active", "max_hits_without_selection")


def risk_page(roles: frozenset[str] | None = None):
    """Officers only (404 for anyone else); with `roles`, other officers get 403."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_officer:
                raise Http404
            if roles is not None and request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorate


def is_draft(ruleset: RiskRuleset) -> bool:
    return not ruleset.is_active and ruleset.activated_at is None


def _apply_errors(exc: ValidationError, form, *, fallback: str | None) -> None:
    """A service's field errors on the form; keys the form does not have land on `fallback`."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(fallback, message)
        return
    for name, errors in exc.message_dict.items():
        if name in form.fields:
            target, prefix = name, ""
        else:
            target = fallback
            prefix = "" if name == NON_FIELD_ERRORS else f"{name}: "
        for message in errors:
            form.add_error(target, f"{prefix}{message}")


def _messages_from(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- rulesets and rules ------------------------------------------------------------------------
@risk_page(VIEWERS)
def ruleset_list(request):
    active = services.ruleset_active()
    rulesets = selectors.rulesets_except(active)
    return render(request, "risk/rules.html", {
        "ruleset": active, "rules": selectors.rules_of(active),
        "drafts": [r for r in rulesets if is_draft(r)],
        "past": [r for r in rulesets if not is_draft(r)],
        "can_change": request.user.role in EDITORS, "clone_form": CloneForm()})


@risk_page(EDITORS)
@require_POST
def ruleset_clone(request, pk):
    ruleset = selectors.ruleset_get(pk)
    form = CloneForm(request.POST)
    name = form.cleaned_data["name"] if form.is_valid() else ""
    draft = services.ruleset_clone(ruleset=ruleset, by=request.user, name=name)
    messages.success(request, _("Draft version %(version)s created: change its rules, simulate, "
                                "then activate it.") % {"version": draft.version})
    return redirect("risk:ruleset", pk=draft.pk)


@risk_page(VIEWERS)
def ruleset_detail(request, pk):
    ruleset = selectors.ruleset_get(pk)
    return render(request, "risk/ruleset.html", {
        "ruleset": ruleset, "rules": selectors.rules_of(ruleset), "draft": is_draft(ruleset),
        "can_change": request.user.role in EDITORS and is_draft(ruleset)})


def _rule_page(request, *, ruleset: RiskRuleset, rule: RiskRule | None):
    if request.method == "POST":
        form = RuleForm(request.POST)
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in (*RULE_FIELDS, "params")}
            try:
                services.rule_save(ruleset=ruleset, data=data, rule=rule, by=request.user)
            except ValidationError as exc:
                _apply_errors(exc, form, fallback="params")
            except StateConflict as exc:
                messages.error(request, exc.message)
                return redirect("risk:ruleset", pk=ruleset.pk)
            else:
                messages.success(request, _("Rule %(code)s saved.") % {"code": data["code"]})
                return redirect("risk:ruleset", pk=ruleset.pk)
    elif rule is not None:
        form = RuleForm(initial={**{name: getattr(rule, name) for name in RULE_FIELDS},
                                 "params": params_text(rule.params)})
    else:
        first = RuleType.values[0]
        form = RuleForm(initial={"rule_type": first, "params": params_text(EXAMPLES[first])})
    examples = [(label, params_text(EXAMPLES[value])) for value, label in RuleType.choices]
    return render(request, "risk/rule_form.html",
                  {"form": form, "ruleset": ruleset, "rule": rule, "examples": examples})


@risk_page(EDITORS)
def rule_new(request, pk):
    ruleset = selectors.ruleset_get(pk)
    return _rule_page(request, ruleset=ruleset, rule=None)


@risk_page(EDITORS)
def rule_edit(request, pk):
    rule = selectors.rule_get(pk)
    return _rule_page(request, ruleset=rule.ruleset, rule=rule)


@risk_page(EDITORS)
@require_POST
def rule_delete(request, pk):
    rule = selectors.rule_get(pk)
    try:
        services.rule_delete(rule=rule, by=request.user)
        messages.success(request, _("Rule %(code)s deleted.") % {"code": rule.code})
    except StateConflict as exc:
        messages.error(request, exc.message)
    return redirect("risk:ruleset", pk=rule.ruleset_id)


def _percentages(counts: dict, total: int) -> dict:
    return {c: round(counts.get(c, 0) * 100 / total, 1) if total else 0.0 for c in Channel.values}


def _chart(result: dict, before: dict, after: dict) -> str:
    """A Chart.js grouped bar config: per channel, its share under each ruleset."""
    labels = [_("Active v%(version)s") % {"version": result["active"]},
              _("Proposed v%(version)s") % {"version": result["proposed"]}]
    datasets = [{"label": str(label), "data": [before[value], after[value]],
                 "backgroundColor": CHANNEL_COLOURS[value]}
                for value, label in Channel.choices]
    return json.dumps({"type": "bar", "data": {"labels": labels, "datasets": datasets},
                       "options": {"maintainAspectRatio": False,
                                   "scales": {"y": {"beginAtZero": True, "max": 100,
                                                    "title": {"display": True,
                                                              "text": "%"}}}}})


@risk_page(VIEWERS)
def ruleset_simulate(request, pk):
    ruleset = selectors.ruleset_get(pk)
    form = SimulateForm(request.GET or None)
    days = form.cleaned_data["days"] if form.is_bound and form.is_valid() else 30
    result = services.ruleset_simulate(proposed=ruleset, days=days)
    before = _percentages(result["before"], result["count"])
    after = _percentages(result["after"], result["count"])
    rows = [{"channel": value, "label": label, "before": result["before"][value],
             "after": result["after"][value], "before_percent": before[value],
             "after_percent": after[value]} for value, label in Channel.choices]
    moved = []
    for key, count in sorted(result["moved"].items(), key=lambda item: (-item[1], item[0])):
        frm, to = key.split("->")
        moved.append({"from": frm, "to": to, "from_label": Channel(frm).label,
                      "to_label": Channel(to).label, "count": count})
    return render(request, "risk/simulate.html", {
        "ruleset": ruleset, "result": result, "rows": rows, "form": form,
        "moved": moved,
        "chart_json": _chart(result, before, after),
        "can_activate": request.user.role in EDITORS and is_draft(ruleset)})


@risk_page(EDITORS)
@require_POST
def ruleset_activate(request, pk):
    ruleset = selectors.ruleset_get(pk)
    try:
        services.ruleset_activate(ruleset=ruleset, by=request.user)
    except StateConflict as exc:
        messages.error(request, exc.message)
        return redirect("risk:ruleset", pk=pk)
    messages.success(request, _("Version %(version)s is now the active ruleset.")
                     % {"version": ruleset.version})
    return redirect("risk:rules")


# --- reference prices --------------------------------------------------------------------------
@risk_page(VIEWERS)
def reference_price_list(request):
    form = TariffSearchForm(request.GET or None)
    query, overridden = "", False
    if form.is_bound and form.is_valid():
        query, overridden = form.cleaned_data["q"], form.cleaned_data["overridden"]
    lines = selectors.tariff_lines_with_reference_prices(query=query, overridden=overridden)
    page = Paginator(lines, 25).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "risk/reference_prices.html", {
        "form": form, "page": page, "query": params.urlencode(),
        "can_change": request.user.role in EDITORS})


@risk_page(VIEWERS)
def reference_price_edit(request, hs_code):
    line = tariff_line_get(hs_code)
    current = selectors.reference_price_for(line)
    if request.method == "POST":
        if request.user.role not in EDITORS:
            raise PermissionDenied
        if "clear" in request.POST:
            if reference_price_clear(hs_code=hs_code, by=request.user):
                messages.success(request, _("Reference price of %(hs)s cleared.")
                                 % {"hs": hs_code})
            return redirect("risk:reference-prices")
        form = ReferencePriceForm(request.POST)
        if form.is_valid():
            try:
                reference_price_set(hs_code=hs_code, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _apply_errors(exc, form, fallback=None)
            else:
                messages.success(request, _("Reference price of %(hs)s saved.")
                                 % {"hs": hs_code})
                return redirect("risk:reference-prices")
    else:
        form = ReferencePriceForm(initial={"price_usd": current.price_usd, "note": current.note}
                                  if current else None)
    return render(request, "risk/reference_price_form.html", {
        "line": line, "current": current, "form": form,
        "can_change": request.user.role in EDITORS})


# --- channel change requests -------------------------------------------------------------------
@risk_page()
def request_list(request):
    return render(request, "risk/requests.html", {
        **selectors.channel_requests_for_pages(), "can_decide": request.user.role in DECIDERS})


@risk_page(DECIDERS)
@require_POST
def request_decide(request, pk):
    change_request = selectors.channel_request_get(pk)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or reject."))
        return redirect("risk:requests")
    try:
        services.channel_request_decide(request=change_request, by=request.user,
                                        **form.cleaned_data)
    except StateConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Request approved: the channel is lowered.")
                         if form.cleaned_data["approve"] else _("Request rejected."))
    return redirect("risk:requests")


# --- channel overrides from the declaration page -----------------------------------------------
def _channel_change(request, pk, *, change, success: str):
    declaration = declaration_get_for(request.user, pk)
    form = ChannelChangeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
        return redirect("declarations:detail", pk=declaration.pk)
    try:
        change(declaration=declaration, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        _messages_from(request, exc)
    except StateConflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("declarations:detail", pk=declaration.pk)


@risk_page(CHANNEL_RAISER_ROLES)
@require_POST
def declaration_raise_channel(request, pk):
    return _channel_change(request, pk, change=services.declaration_raise_channel,
                           success=_("Channel raised."))


@risk_page(CHANNEL_RAISER_ROLES)
@require_POST
def declaration_request_lowering(request, pk):
    return _channel_change(request, pk, change=services.channel_lowering_request,
                           success=_("Lowering requested: the branch leader decides."))
