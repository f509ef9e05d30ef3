"""The partnership desk's pages: support requests (the enterprise's own; every request for
officers, with the desk's view by age and topic), a request's thread with the desk's and the
enterprise's actions, rating a cleared declaration, the satisfaction figures, guidance, and
each user's notifications. Scoped as the API is (another enterprise's request: 404)."""

import json
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from customs_core.exceptions import FieldErrors, PreconditionFailed, StateConflict
from declarations.selectors import declaration_get_for, declarations_visible_to

from . import notices, ratings, selectors, services, stats
from .attachments import attachment_response
from .choices import NOT_CLOSED, RequestState, Topic
from .forms import (
    ArticleSearchForm,
    AssignForm,
    CloseForm,
    MessageForm,
    RatingForm,
    ReopenForm,
    RequestForm,
    ScheduleForm,
)
from .models import Rating

PAGE_SIZE = 25


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _errors_on(form, exc) -> None:
    """A service's refusal on the form: field errors where the form has the field."""
    if isinstance(exc, FieldErrors):
        for field, problems in exc.fields.items():
            for problem in problems if isinstance(problems, list) else [problems]:
                form.add_error(field if field in form.fields else None, str(problem))
    elif isinstance(exc, ValidationError):
        for problem in exc.messages:
            form.add_error(None, problem)
    else:
        form.add_error(None, exc.message)


REFUSALS = (FieldErrors, ValidationError, StateConflict, PreconditionFailed)


# --- requests ------------------------------------------------------------------------------------
@login_required
@require_GET
def request_list(request):
    user = request.user
    requests = selectors.requests_visible_to(user)
    state = request.GET.get("state", "active")
    topic = request.GET.get("topic", "")
    scope = request.GET.get("scope", "all")
    if state == "active":
        requests = requests.filter(state__in=NOT_CLOSED)
    elif state in RequestState.values:
        requests = requests.filter(state=state)
    if topic in Topic.values:
        requests = requests.filter(topic=topic)
    if scope == "mine" and user.is_officer:
        requests = requests.filter(assigned_to=user)
    desk = selectors.is_desk(user)
    # The most urgent first: those with an answer due (SQLite sorts no due time first).
    requests = (requests.order_by(F("due_at").asc(nulls_last=True), "-created_at") if desk
                else requests)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"page": _page(request, requests), "query": query.urlencode(), "desk": desk,
               "state": state, "topic": topic, "scope": scope, "now": timezone.now(),
               "states": RequestState.choices, "topics": Topic.choices}
    if user.is_officer:
        table = stats.open_by_age_and_topic()
        labels = dict(Topic.choices)
        context["age_table"] = [(labels[t], [row[k] for _, k in stats.AGE_BUCKETS])
                                for t, row in table.items()]
    return render(request, "partnership/requests.html", context)


@login_required
def request_new(request):
    user = request.user
    if not user.is_declarant:
        raise PermissionDenied(_("Support requests are asked by enterprises."))
    own = declarations_visible_to(user).exclude(state="draft").order_by("-created_at")[:200]
    initial = {}
    if request.GET.get("declaration"):
        initial["declaration"] = request.GET["declaration"]
    form = RequestForm(request.POST or None, request.FILES or None, declarations=own,
                       initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.request_open(
                user=user, topic=data["topic"], subject=data["subject"],
                message=data["message"], declaration=data["declaration"], mode=data["mode"],
                files=data["files"])
        except REFUSALS as exc:
            _errors_on(form, exc)
        else:
            messages.success(request, _("Your request was sent to the desk."))
            return redirect(created)
    return render(request, "partnership/request_new.html", {"form": form})


def _desk_articles(user, desk: bool) -> list:
    """The published articles an answer may link (the desk only)."""
    return list(selectors.articles_visible_to(user).filter(published=True)) if desk else []


def _detail_context(request, support, **forms) -> dict:
    user = request.user
    desk = selectors.is_desk(user)
    # The request's enterprise (the selector let no other one in), the desk, or a reader.
    actions = services.actions_of(support, "enterprise" if user.is_declarant
                                  else "desk" if desk else None)
    context = {
        "r": support, "thread": selectors.thread_of(support), "desk": desk,
        "leader": selectors.is_desk_leader(user), "now": timezone.now(),
        "owner": user.is_declarant,
        "message_form": MessageForm(articles=_desk_articles(user, desk), desk=desk),
        "close_form": CloseForm(), "reopen_form": ReopenForm(),
        "schedule_form": ScheduleForm(initial={"mode": support.mode,
                                               "scheduled_at": support.scheduled_at,
                                               "place": support.place}),
        "assign_form": AssignForm(officers=selectors.desk_officers(),
                                  initial={"officer": support.assigned_to_id}),
        "can_message": "message" in actions, "can_close": "close" in actions,
        "can_reopen": "reopen" in actions,
    }
    context.update({k: v for k, v in forms.items() if v is not None})
    return context


@login_required
@require_GET
def request_detail(request, pk):
    support = selectors.request_get_for(request.user, pk)
    return render(request, "partnership/request.html", _detail_context(request, support))


def _act(request, pk, form_name, make_form, act, done):
    """POST of one of the thread page's forms: the service acts, or the page comes back with
    the form's errors (status 400, or 409/412 when someone moved the request first)."""
    support = selectors.request_get_for(request.user, pk)
    form = make_form(support)
    if form.is_valid():
        try:
            act(support, form.cleaned_data)
        except PermissionDenied:
            raise
        except REFUSALS as exc:
            _errors_on(form, exc)
            status = 409 if isinstance(exc, StateConflict) else \
                412 if isinstance(exc, PreconditionFailed) else 400
            return render(request, "partnership/request.html",
                          _detail_context(request, support, **{form_name: form}), status=status)
        messages.success(request, done)
        return redirect(support)
    return render(request, "partnership/request.html",
                  _detail_context(request, support, **{form_name: form}), status=400)


@login_required
@require_POST
def request_message(request, pk):
    user = request.user
    desk = selectors.is_desk(user)
    articles = _desk_articles(user, desk)
    return _act(request, pk, "message_form",
                lambda s: MessageForm(request.POST, request.FILES, articles=articles, desk=desk),
                lambda s, d: services.message_post(
                    request=s, user=user, body=d["body"], article=d.get("article"),
                    awaiting_enterprise=d.get("awaiting_enterprise", False), files=d["files"],
                    if_match=request.POST.get("version")),
                _("Message sent."))


@login_required
@require_POST
def request_close(request, pk):
    return _act(request, pk, "close_form", lambda s: CloseForm(request.POST),
                lambda s, d: services.request_close(request=s, user=request.user,
                                                    satisfaction=d["satisfaction"],
                                                    if_match=request.POST.get("version")),
                _("The request is closed."))


@login_required
@require_POST
def request_reopen(request, pk):
    return _act(request, pk, "reopen_form", lambda s: ReopenForm(request.POST),
                lambda s, d: services.request_reopen(request=s, user=request.user,
                                                     body=d["body"],
                                                     if_match=request.POST.get("version")),
                _("The request is reopened."))


@login_required
@require_POST
def request_assign(request, pk):
    return _act(request, pk, "assign_form",
                lambda s: AssignForm(request.POST, officers=selectors.desk_officers()),
                lambda s, d: services.request_assign(request=s, user=request.user,
                                                     officer=d["officer"],
                                                     if_match=request.POST.get("version")),
                _("The request is reassigned."))


@login_required
@require_POST
def request_schedule(request, pk):
    return _act(request, pk, "schedule_form", lambda s: ScheduleForm(request.POST),
                lambda s, d: services.request_schedule(request=s, user=request.user,
                                                       mode=d["mode"],
                                                       scheduled_at=d["scheduled_at"],
                                                       place=d["place"],
                                                       if_match=request.POST.get("version")),
                _("The support is scheduled; the enterprise is told."))


@login_required
@require_GET
def attachment_file(request, pk):
    return attachment_response(selectors.attachment_get_for(request.user, pk))


# --- ratings -------------------------------------------------------------------------------------
@login_required
def rate(request, declaration_pk):
    declaration = declaration_get_for(request.user, declaration_pk)
    if not request.user.is_declarant:
        raise PermissionDenied(_("The service is rated by the declaration's enterprise."))
    existing = Rating.objects.filter(declaration_id=declaration.pk).first()
    form = RatingForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            ratings.rating_give(user=request.user, declaration=declaration, **form.cleaned_data)
        except REFUSALS as exc:
            _errors_on(form, exc)
            status = 409 if isinstance(exc, StateConflict) else 400
        else:
            messages.success(request, _("Thank you: your rating was recorded."))
            return redirect(declaration)
    elif request.method == "POST":
        status = 400
    return render(request, "partnership/rate.html",
                  {"d": declaration, "form": form, "existing": existing,
                   "cleared": declaration.cleared_at is not None}, status=status)


def _satisfaction_chart(months: list[dict]) -> str:
    """A Chart.js config (static/js/app.js draws every canvas[data-chart]): the index by month
    as a line on 0-100, the number of ratings as bars on their own axis."""
    return json.dumps({
        "type": "bar",
        "data": {"labels": [m["month"].strftime("%m/%Y") for m in months],
                 "datasets": [
                     {"type": "line", "label": str(_("Satisfaction index (0-100)")),
                      "data": [m["index"] for m in months], "yAxisID": "index",
                      "borderColor": "#0b5c3b", "backgroundColor": "#0b5c3b",
                      "spanGaps": True, "tension": 0.2},
                     {"label": str(_("Ratings")), "data": [m["ratings"] for m in months],
                      "yAxisID": "ratings", "backgroundColor": "#b9d3c4"}]},
        "options": {"responsive": True, "maintainAspectRatio": False,
                    "scales": {"index": {"position": "left", "min": 0, "max": 100},
                               "ratings": {"position": "right", "beginAtZero": True,
                                           "grid": {"drawOnChartArea": False},
                                           "ticks": {"precision": 0}}}},
    })


@login_required
@require_GET
def satisfaction(request):
    user = request.user
    context = {"leader": selectors.is_desk_leader(user)}
    if user.is_declarant:
        context["own"] = _page(request, selectors.ratings_visible_to(user)
                               .select_related("declaration"))
    elif context["leader"]:
        months = stats.satisfaction_by_month(12)
        since = timezone.now() - timedelta(days=365)
        context.update(
            summary=stats.satisfaction_summary(since), compliance=stats.compliance(since),
            topics=stats.lowest_topics(since), gates=stats.lowest_gates(since),
            months=months, page=_page(request, selectors.ratings_visible_to(user)),
            chart=_satisfaction_chart(months))
    context["mine"] = stats.officer_ratings(user) if user.is_officer else None
    return render(request, "partnership/satisfaction.html", context)


# --- guidance ------------------------------------------------------------------------------------
@login_required
@require_GET
def article_list(request):
    form = ArticleSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    found = selectors.article_search(request.user, query)
    counts = selectors.closed_counts([a.pk for a in found])
    rows = [(a, counts.get(a.pk, 0)) for a in found]
    # htmx asks for the results only; restoring a page from history it asks for all of it.
    partial = (request.headers.get("HX-Request") == "true"
               and request.headers.get("HX-History-Restore-Request") != "true")
    template = "partnership/_article_results.html" if partial else "partnership/articles.html"
    response = render(request, template, {"form": form, "rows": rows, "query": query})
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def article_detail(request, pk):
    article = selectors.article_get_for(request.user, pk)
    return render(request, "partnership/article.html", {
        "a": article, "closed": selectors.closed_counts([article.pk]).get(article.pk, 0)})


# --- notifications -------------------------------------------------------------------------------
@login_required
@require_GET
def notification_list(request):
    rows = _page(request, selectors.notifications_of(request.user))
    items = [{"n": n, "label": notices.label_of(n.kind), "text": notices.text_of(n)}
             for n in rows]
    return render(request, "partnership/notifications.html",
                  {"page": rows, "items": items, "query": "",
                   "unread": selectors.unread_count(request.user)})


@login_required
@require_POST
def notification_open(request, pk):
    """Mark one read and follow its link."""
    notification = selectors.notification_get_for(request.user, pk)
    notices.mark_read(request.user, [notification.pk])
    if notification.link and url_has_allowed_host_and_scheme(notification.link, None):
        return HttpResponseRedirect(notification.link)
    return redirect("partnership:notifications")


@login_required
@require_POST
def notification_read_all(request):
    notices.mark_read(request.user)
    messages.success(request, _("Every notification is marked read."))
    return redirect("partnership:notifications")


@login_required
def notification_settings(request):
    kinds = notices.settings_of(request.user)
    if request.method == "POST":
        notices.settings_save(request.user, set(request.POST.getlist("email")))
        messages.success(request, _("Your notification settings are saved."))
        return redirect("partnership:notification-settings")
    return render(request, "partnership/notification_settings.html",
                  {"kinds": kinds, "email": request.user.email})


@login_required
@require_GET
def bell(request):
    # The same context as in the top bar (customs_core.navigation: the item's context).
    return render(request, "partnership/_bell.html",
                  {"item": {"unread": selectors.unread_count(request.user)}})
