"""The partnership desk in a real browser: an enterprise asks about its declaration, the desk
officer it went to answers with a guidance article, the enterprise sees the notification, opens
the request from it, closes it with a score of the answer and rates the cleared declaration; a
low rating opens a follow-up request for the desk leader; every page of the desk has no
accessibility violation (axe, WCAG 2.2 AA) in both languages, loads nothing from another origin
and runs no inline script.

A cleared declaration is built through the services (set-up, not the behaviour under test);
everything the people do, they do in the browser, in Vietnamese (the default language).

Vietnamese: the new strings of these pages are not translated yet. Text is found by data-testid
and structure, by what is data (an article's title, a declaration's number, a request's
subject), and by what the Vietnamese catalogue says for a string (today the English text, the
translation once it is there)."""

import re

import pytest
from django.db import transaction
from django.utils import translation
from playwright.sync_api import expect

from tests.test_browser import (  # noqa: F401 (demo_world: a fixture, used by pytestmark)
    _axe_violations,
    _language,
    _login,
    demo_world,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("demo_world")]

ARTICLE = "Thủ tục hải quan đối với hàng hóa nhập khẩu qua cửa khẩu Móng Cái"


# --- set-up in the database -----------------------------------------------------------------------
def _user(username: str):
    from customs_core.models import User

    return User.objects.get(username=username)


def _name(username: str) -> str:
    user = _user(username)
    return user.get_full_name() or user.username


def _fresh(instance):
    instance.refresh_from_db()
    return instance


def _cleared(user):
    """A declaration of `user`'s enterprise cleared through the real transitions. In one
    transaction: submitting routes the declaration when it commits, which here (a live server's
    test commits) would route it before the factory takes it down the green path."""
    from declarations.testing import DeclarationFactory, publish_rates

    publish_rates()
    with transaction.atomic():
        declaration = DeclarationFactory(state="cleared", user=user)
    declaration = _fresh(declaration)
    assert declaration.state == "cleared" and declaration.cleared_at is not None
    return declaration


def _unread(username: str) -> int:
    from partnership.models import Notification

    return Notification.objects.filter(recipient__username=username,
                                       read_at__isnull=True).count()


def _vi(message: str) -> str:
    """What a page in Vietnamese shows for this string of the catalogue."""
    with translation.override("vi"):
        return translation.gettext(message)


# --- people in the browser ------------------------------------------------------------------------
@pytest.fixture
def person(browser, browser_context_args, live_server):
    """person("desk", language="vi") -> a page of its own browser context, logged in: the
    enterprise and the desk at work at once, each in their own session."""
    contexts = []

    def login(username: str, *, language: str):
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        page = context.new_page()
        _language(page, live_server, language)
        _login(page, live_server, username)
        return page

    yield login
    for context in contexts:
        context.close()


# --- checks on every page -------------------------------------------------------------------------
# Beside axe: every form control is named by exactly one label of its own (axe passes a label
# whose `for` names another control's duplicated id, which leaves this one without a name).
UNLABELLED = """() => [...document.querySelectorAll(
    'main input:not([type=hidden]), main select, main textarea')]
    .filter(e => e.labels.length !== 1 && !e.getAttribute('aria-label'))
    .map(e => `${e.name} (#${e.id}): ${e.labels.length} labels`)"""

# Only our own files: no script or style sheet from another origin, no inline script.
FOREIGN = """() => [
    ...[...document.scripts].filter(s => !s.src).map(s => 'inline script'),
    ...[...document.querySelectorAll('script[src], link[href][rel=stylesheet], img[src]')]
        .map(e => e.src || e.href).filter(u => !u.startsWith(location.origin + '/'))]"""

SIDEWAYS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"

CSP_WATCH = """window.__csp = [];
    document.addEventListener('securitypolicyviolation',
        e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"""


def _watch(page, problems: list) -> None:
    """Record the page's script errors and Content-Security-Policy violations from now on."""
    page.context.add_init_script(CSP_WATCH)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))


def _audit(found: dict, page, live_server, name: str) -> None:
    problems = page.evaluate(FOREIGN) + page.evaluate("window.__csp || []")
    if not page.evaluate(SIDEWAYS):
        problems.append("the page scrolls sideways")
    problems += _axe_violations(page, live_server) + page.evaluate(UNLABELLED)
    if problems:
        found[name] = problems


# --- 1. ask, answer, notify, close, rate ----------------------------------------------------------
def test_an_enterprise_asks_about_its_declaration_gets_a_guidance_answer_and_rates_the_service(
        live_server, person):
    from partnership.choices import NOT_CLOSED
    from partnership.models import Article, Rating, SupportRequest

    declarant = _user("declarant")
    declaration = _cleared(declarant)
    detail = f"{live_server.url}/declarations/{declaration.pk}/"
    article = Article.objects.get(title_vi=ARTICLE)
    subject = f"Hồ sơ nhập khẩu theo tờ khai {declaration.number}"
    question = "Xin hướng dẫn hồ sơ nhập khẩu mì ăn liền qua cửa khẩu Bắc Luân."
    # A new request goes to the desk officer (not the leader) with the fewest requests not
    # closed, the lower id on a tie.
    loads = {name: SupportRequest.objects.filter(assigned_to__username=name,
                                                 state__in=NOT_CLOSED).count()
             for name in ("desk", "desk2")}
    expected = min(loads, key=lambda name: (loads[name], _user(name).pk))
    found, errors = {}, []

    # The enterprise, on its cleared declaration: the desk's panel offers to ask and to rate.
    enterprise = person("declarant", language="vi")
    _watch(enterprise, errors)
    enterprise.goto(detail)
    assert enterprise.locator("html").get_attribute("lang") == "vi"
    panel = enterprise.locator("[data-testid=partnership-panel]")
    expect(panel.locator("[data-testid=rate-service]")).to_be_visible()
    expect(panel.locator("[data-testid=own-rating]")).to_have_count(0)
    _audit(found, enterprise, live_server, "declaration page with the desk's panel")

    # It asks about this declaration: the form comes with the declaration chosen.
    panel.locator("[data-testid=ask-about]").click()
    form = enterprise.locator("[data-testid=request-form]")
    expect(form.locator("select[name=declaration]")).to_have_value(str(declaration.pk))
    expect(form.locator("select[name=declaration] option:checked")).to_have_text(
        declaration.number)
    form.locator("select[name=topic]").select_option("procedure")
    form.locator("input[name=subject]").fill(subject)
    form.locator("textarea[name=message]").fill(question)
    _audit(found, enterprise, live_server, "new request about a declaration")
    form.locator("[data-testid=send-request]").click()
    expect(enterprise).to_have_url(re.compile(r"/support/\d+/$"))
    expect(enterprise.locator(".messages .msg-success")).to_have_text(
        _vi("Your request was sent to the desk."))
    support = SupportRequest.objects.get(subject=subject)
    assert (support.declaration_id, support.created_by_id, support.state) == (
        declaration.pk, declarant.pk, "open")
    assert support.assigned_to.username == expected, (loads, support.assigned_to)
    expect(enterprise.locator("h1")).to_contain_text(subject)
    expect(enterprise.locator("[data-testid=request-state]")).to_have_attribute(
        "data-state", "open")
    expect(enterprise.locator("[data-testid=assigned-to]")).to_have_text(_name(expected))
    expect(enterprise.locator("[data-testid=thread] [data-testid=message]")).to_have_text(
        [re.compile(re.escape(question))])
    expect(enterprise.locator("[data-testid=message-form] select[name=article]")).to_have_count(0)
    _audit(found, enterprise, live_server, "request of the enterprise, open")

    # The desk officer it went to: told in the bell, finds it among theirs, answers with the
    # guidance article.
    officer = person(expected, language="vi")
    _watch(officer, errors)
    expect(officer.locator("[data-testid=bell-count]")).to_have_text(str(_unread(expected)))
    officer.locator(".mainnav a[href='/support/']").click()
    filters = officer.locator("[data-testid=request-filters]")
    filters.locator("select[name=scope]").select_option("mine")
    filters.locator("button[type=submit]").click()
    expect(officer).to_have_url(re.compile(r"[?&]scope=mine"))
    row = officer.locator(f"[data-testid=request-row][data-request='{support.pk}']")
    expect(row).to_contain_text(subject)
    expect(row).to_contain_text(declaration.number)
    _audit(found, officer, live_server, "the desk officer's requests")
    row.locator(f"a[href='/support/{support.pk}/']").click()
    answer = officer.locator("[data-testid=message-form]")
    answer.locator("textarea[name=body]").fill(
        "Chi cục hướng dẫn doanh nghiệp thực hiện theo bài hướng dẫn đính kèm.")
    answer.locator("select[name=article]").select_option(label=ARTICLE)
    _audit(found, officer, live_server, "request seen by the desk officer")
    answer.locator("[data-testid=send-message]").click()
    expect(officer.locator(".messages .msg-success")).to_have_text(_vi("Message sent."))
    expect(officer.locator("[data-testid=request-state]")).to_have_attribute(
        "data-state", "answered")
    expect(officer.locator("[data-testid=linked-article] a")).to_have_text(ARTICLE)
    assert _fresh(support).state == "answered"

    # The enterprise: the bell counts the unread, the notifications list the answer; opening
    # it marks it read and leads to the request.
    enterprise.goto(f"{live_server.url}/")
    unread = _unread("declarant")
    assert unread >= 1
    bell = enterprise.locator(".topbar [data-testid=bell]")
    expect(bell.locator("[data-testid=bell-count]")).to_have_text(
        "99+" if unread > 99 else str(unread))
    expect(bell).to_have_attribute("data-unread", str(unread))
    bell.click()
    expect(enterprise).to_have_url(re.compile(r"/notifications/$"))
    answered = enterprise.locator(
        "[data-testid=notification][data-kind=support_request_answered]")
    expect(answered).to_have_count(1)
    expect(answered).to_have_attribute("data-unread", "")
    expect(answered).to_contain_text(f"#{support.pk}")
    expect(answered).to_contain_text(subject)
    _audit(found, enterprise, live_server, "notifications with the answer unread")
    answered.locator("[data-testid=open-notification]").click()
    expect(enterprise).to_have_url(re.compile(rf"/support/{support.pk}/$"))
    assert _unread("declarant") == unread - 1
    expect(enterprise.locator(".topbar [data-testid=bell]")).to_have_attribute(
        "data-unread", str(unread - 1))
    messages = enterprise.locator("[data-testid=thread] [data-testid=message]")
    expect(messages).to_have_count(2)
    expect(messages.nth(1).locator("[data-testid=linked-article] a")).to_have_text(ARTICLE)
    _audit(found, enterprise, live_server, "request of the enterprise, answered")

    # It reads the article, comes back and closes the request with a score of the answer.
    messages.nth(1).locator("[data-testid=linked-article] a").click()
    expect(enterprise.locator("h1")).to_have_text(ARTICLE)
    expect(enterprise.locator("[data-testid=article-body]")).to_contain_text(article.body_vi)
    _audit(found, enterprise, live_server, "guidance article")
    enterprise.go_back()
    close = enterprise.locator("[data-testid=close-form]")
    close.locator("select[name=satisfaction]").select_option("5")
    close.locator("[data-testid=close-request]").click()
    expect(enterprise.locator(".messages .msg-success")).to_have_text(
        _vi("The request is closed."))
    expect(enterprise.locator("[data-testid=request-state]")).to_have_attribute(
        "data-state", "closed")
    expect(enterprise.locator("[data-testid=answer-rated]")).to_have_text("5/5")
    expect(enterprise.locator("[data-testid=closing-article]")).to_have_text(ARTICLE)
    expect(enterprise.locator("[data-testid=reopen-form]")).to_be_visible()
    support = _fresh(support)
    assert (support.state, support.satisfaction, support.closing_article_id) == (
        "closed", 5, article.pk)
    _audit(found, enterprise, live_server, "request of the enterprise, closed")

    # It rates the service of the cleared declaration from the declaration's page.
    enterprise.goto(detail)
    panel = enterprise.locator("[data-testid=partnership-panel]")
    expect(panel.locator(f"a[href='/support/{support.pk}/']")).to_be_visible()
    panel.locator("[data-testid=rate-service]").click()
    rating_form = enterprise.locator("[data-testid=rating-form]")
    expect(enterprise.locator(".page-head")).to_contain_text(declaration.number)
    _audit(found, enterprise, live_server, "rating form")
    for criterion, score in (("timeliness", "5"), ("transparency", "4"), ("attitude", "5")):
        rating_form.locator(f"[data-testid=score-{criterion}]").get_by_role(
            "radio", name=score, exact=True).check()
    rating_form.locator("textarea[name=comment]").fill("Thông quan nhanh, cán bộ nhiệt tình.")
    rating_form.locator("[data-testid=send-rating]").click()
    expect(enterprise).to_have_url(re.compile(rf"/declarations/{declaration.pk}/$"))
    expect(enterprise.locator(".messages .msg-success")).to_have_text(
        _vi("Thank you: your rating was recorded."))
    own = enterprise.locator("[data-testid=partnership-panel] [data-testid=own-rating]")
    expect(own).to_contain_text("5/5")
    expect(own).to_contain_text("4/5")
    expect(enterprise.locator("[data-testid=rate-service]")).to_have_count(0)
    rating = Rating.objects.get(declaration=declaration)
    assert (rating.timeliness, rating.transparency, rating.attitude, rating.rated_by_id) == (
        5, 4, 5, declarant.pk)
    assert not SupportRequest.objects.filter(rating=rating).exists()  # not low: no follow-up
    _audit(found, enterprise, live_server, "declaration page once rated")

    # The rate page again: rated already, no form.
    enterprise.goto(f"{live_server.url}/support/rate/{declaration.pk}/")
    expect(enterprise.locator("[data-testid=already-rated]")).to_be_visible()
    expect(enterprise.locator("[data-testid=rating-form]")).to_have_count(0)
    assert Rating.objects.filter(declaration=declaration).count() == 1
    _audit(found, enterprise, live_server, "rate page, rated already")
    assert errors == []
    assert found == {}


# --- 2. a low rating is followed up by the desk leader --------------------------------------------
def test_a_low_rating_opens_a_follow_up_request_for_the_desk_leader(live_server, person):
    from partnership.models import Rating, SupportRequest

    declaration = _cleared(_user("declarant"))
    found, errors = {}, []

    enterprise = person("declarant", language="vi")
    _watch(enterprise, errors)
    enterprise.goto(f"{live_server.url}/support/rate/{declaration.pk}/")
    form = enterprise.locator("[data-testid=rating-form]")
    form.locator("[data-testid=send-rating]").click()  # nothing chosen: refused, on the page
    for criterion in ("timeliness", "transparency", "attitude"):
        expect(form.locator(f"[data-testid=score-{criterion}] [role=alert]")).to_be_visible()
    assert not Rating.objects.filter(declaration=declaration).exists()
    _audit(found, enterprise, live_server, "rating form refused")
    for criterion, score in (("timeliness", "2"), ("transparency", "1"), ("attitude", "3")):
        form.locator(f"[data-testid=score-{criterion}]").get_by_role(
            "radio", name=score, exact=True).check()
    form.locator("textarea[name=comment]").fill("Chờ kiểm tra quá lâu.")
    form.locator("[data-testid=send-rating]").click()
    expect(enterprise).to_have_url(re.compile(rf"/declarations/{declaration.pk}/$"))
    rating = Rating.objects.get(declaration=declaration)
    follow_up = SupportRequest.objects.get(rating=rating)
    assert (follow_up.topic, follow_up.state, follow_up.assigned_to.username,
            follow_up.declaration_id) == ("complaint", "open", "teamlead", declaration.pk)
    # The enterprise sees the follow-up among the declaration's requests.
    expect(enterprise.locator(
        f"[data-testid=partnership-panel] a[href='/support/{follow_up.pk}/']")).to_be_visible()

    # The desk leader: told, finds it among theirs, reads the scores and the comment.
    leader = person("teamlead", language="vi")
    _watch(leader, errors)
    expect(leader.locator("[data-testid=bell-count]")).to_have_text(str(_unread("teamlead")))
    leader.locator("[data-testid=bell]").click()
    for kind in ("support_request_new", "rating_received"):
        expect(leader.locator(f"[data-testid=notification][data-kind={kind}]")
               .filter(has_text=declaration.number).first).to_be_visible()
    leader.goto(f"{live_server.url}/support/?scope=mine&topic=complaint")
    row = leader.locator(f"[data-testid=request-row][data-request='{follow_up.pk}']")
    expect(row).to_contain_text(declaration.number)
    row.locator(f"a[href='/support/{follow_up.pk}/']").click()
    expect(leader.locator("h1")).to_contain_text(declaration.number)
    expect(leader.locator("[data-testid=assigned-to]")).to_have_text(_name("teamlead"))
    expect(leader.locator("[data-testid=thread]")).to_contain_text("Chờ kiểm tra quá lâu.")
    expect(leader.locator("[data-testid=assign-form]")).to_be_visible()
    _audit(found, leader, live_server, "follow-up request seen by the desk leader")

    # The rating among those the desk leader reads one by one.
    leader.goto(f"{live_server.url}/support/ratings/")
    rated = leader.locator("[data-testid=ratings-table] tbody tr").filter(
        has=leader.locator(f"a[href='/declarations/{declaration.pk}/']"))
    expect(rated.locator("td.num")).to_have_text(["2", "1", "3"])
    assert errors == []
    assert found == {}


# --- 3. every page of the desk, in both languages -------------------------------------------------
def test_every_partnership_page_is_accessible_in_both_languages(live_server, person):
    from partnership.choices import NOT_CLOSED
    from partnership.models import Article, NotificationSetting, SupportRequest

    declarant = _user("declarant")
    declaration = _cleared(declarant)
    own = (SupportRequest.objects.filter(enterprise_id=declarant.enterprise_id)
           .order_by("pk").first())
    article = Article.objects.get(title_vi=ARTICLE)
    most_urgent = (SupportRequest.objects.filter(state__in=NOT_CLOSED, due_at__isnull=False)
                   .order_by("due_at", "-created_at").first())
    assert most_urgent is not None  # the demo has requests waiting for an answer
    found, errors = {}, []

    def visit(page, path: str, name: str) -> None:
        language = page.locator("html").get_attribute("lang")
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, (language, path, response.status)
        assert page.locator("html").get_attribute("lang") == language
        _audit(found, page, live_server, f"{name} ({language})")

    for language in ("vi", "en"):

        # The enterprise.
        enterprise = person("declarant", language=language)
        _watch(enterprise, errors)
        visit(enterprise, "/support/", "requests of an enterprise")
        rows = enterprise.locator("[data-testid=requests-table] [data-testid=request-row]")
        active = SupportRequest.objects.filter(enterprise_id=declarant.enterprise_id,
                                               state__in=NOT_CLOSED).count()
        expect(rows).to_have_count(min(active, 25))
        expect(enterprise.locator("[data-testid=age-table]")).to_have_count(0)
        visit(enterprise, "/support/new/", "new request")
        visit(enterprise, f"/support/{own.pk}/", "request of an enterprise")
        visit(enterprise, f"/support/rate/{declaration.pk}/", "rate page")
        expect(enterprise.locator("[data-testid=rating-form] fieldset.scores")).to_have_count(3)
        visit(enterprise, "/support/ratings/", "ratings of an enterprise")
        expect(enterprise.locator("[data-testid=own-ratings]")).to_be_visible()
        visit(enterprise, f"/guidance/{article.pk}/", "guidance article")
        visit(enterprise, "/notifications/", "notifications")
        visit(enterprise, "/notifications/settings/", "notification settings")

        # A desk officer, a desk leader, the branch leader.
        desk = person("desk", language=language)
        _watch(desk, errors)
        visit(desk, "/support/", "requests seen by a desk officer")
        expect(desk.locator("[data-testid=age-table]")).to_be_visible()
        # The most urgent first: the earliest answer due, those with none after.
        expect(desk.locator("[data-testid=request-row]").first).to_have_attribute(
            "data-request", str(most_urgent.pk))
        visit(desk, f"/support/{own.pk}/", "request seen by a desk officer")
        expect(desk.locator("[data-testid=schedule-form]")).to_be_visible()
        expect(desk.locator("[data-testid=assign-form]")).to_have_count(0)
        visit(desk, "/support/ratings/", "ratings seen by an officer")
        expect(desk.locator("[data-testid=my-ratings]")).to_be_visible()  # in aggregate only
        expect(desk.locator("[data-testid=ratings-table]")).to_have_count(0)
        expect(desk.locator("[data-testid=satisfaction-chart]")).to_have_count(0)
        visit(desk, "/notifications/", "notifications of a desk officer")

        teamlead = person("teamlead", language=language)
        _watch(teamlead, errors)
        visit(teamlead, "/support/", "requests seen by the desk leader")

        leader = person("leader", language=language)
        _watch(leader, errors)
        visit(leader, "/support/", "requests seen by the branch leader")
        visit(leader, f"/support/{own.pk}/", "request seen by the branch leader")
        expect(leader.locator("[data-testid=assign-form]")).to_be_visible()
        leader.goto(f"{live_server.url}/support/ratings/")
        chart = leader.locator("canvas[data-testid=satisfaction-chart]")
        expect(chart).to_be_visible()
        leader.wait_for_function(
            "() => window.Chart && Chart.getChart("
            "document.querySelector('[data-testid=satisfaction-chart]')) !== undefined")
        assert leader.evaluate("() => Chart.getChart(document.querySelector("
                               "'[data-testid=satisfaction-chart]')).data.labels.length") == 12
        expect(leader.locator("[data-testid=satisfaction-index]")).to_be_visible()
        expect(leader.locator("[data-testid=ratings-table]")).to_be_visible()
        _audit(found, leader, live_server, f"satisfaction of the branch leader ({language})")

        # Guidance: searched without diacritics, the results replaced in place (htmx).
        enterprise.goto(f"{live_server.url}/guidance/")
        enterprise.evaluate("window.__same_page = true")
        results = enterprise.locator("[data-testid=article-results] [data-testid=article-result]")
        everything = Article.objects.filter(published=True).count()
        expect(results).to_have_count(everything)
        _audit(found, enterprise, live_server, f"guidance ({language})")
        enterprise.locator("[data-testid=guidance-q]").fill("thu tuc hai quan")
        expect(enterprise).to_have_url(re.compile(r"[?&]q=thu(\+|%20)tuc(\+|%20)hai(\+|%20)quan"))
        # Most relevant first: the whole phrase in the title (before: the FAQs, by kind).
        expect(results.first).to_contain_text(ARTICLE if language == "vi" else article.title_en)
        assert enterprise.evaluate("window.__same_page") is True  # not a new page
        _audit(found, enterprise, live_server, f"guidance searched ({language})")

    # Notification settings: a change is saved and shown.
    enterprise.goto(f"{live_server.url}/notifications/settings/")
    settings_form = enterprise.locator("[data-testid=notification-settings]")
    answered = settings_form.locator("[data-testid=email-support_request_answered]")
    expect(answered).to_be_checked()  # e-mailed by default
    answered.uncheck()
    settings_form.locator("[data-testid=save-settings]").click()
    expect(enterprise.locator(".messages .msg-success")).to_be_visible()
    expect(answered).not_to_be_checked()
    assert NotificationSetting.objects.get(user=declarant,
                                           kind="support_request_answered").email is False
    assert errors == []
    assert found == {}
