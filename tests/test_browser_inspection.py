"""The officers' checks in a real browser: the yellow path (amendment asked and made, cleared,
paid, out through the gate), the red path (inspection scheduled, goods found different, a
violation with its penalty, extra duties paid, released), claiming and reassigning in the queue
in place, and the pages' accessibility and layout.

Routing is set up in the database (a ruleset sending every declaration from China to one
channel); everything the people do, they do in the browser."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from tests.test_browser import (  # noqa: F401 (demo_world: a fixture, used by pytestmark)
    _axe_violations,
    _fill_declaration,
    _language,
    _login,
    demo_world,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("demo_world")]

SIDEWAYS = "document.documentElement.scrollWidth <= document.documentElement.clientWidth"


# --- set-up in the database -----------------------------------------------------------------------
def _route_everything(channel: str) -> None:
    """A new active ruleset whose only rule sends every declaration traded with China to
    `channel` (35 points: yellow, 80: red); no random selection, no top-up."""
    from customs_core.models import User
    from declarations.risk import cache as risk_cache
    from declarations.risk.choices import RuleType
    from declarations.risk.models import RiskRuleset
    from declarations.risk.services import rule_save

    version = RiskRuleset.objects.order_by("-version").values_list("version", flat=True).first()
    ruleset = RiskRuleset.objects.create(
        version=(version or 0) + 1, name=f"browser test: {channel}", min_random_percent=0,
        post_audit_random_percent=0, expected_yellow_percent=0, expected_red_percent=0)
    rule_save(ruleset=ruleset, by=User.objects.get(username="risk"),
              data={"code": "cn", "name": "CN", "rule_type": RuleType.TRADING_COUNTRY,
                    "effect": "points", "params": {"countries": ["CN"]},
                    "points": {"yellow": 35, "red": 80}[channel]})
    RiskRuleset.objects.exclude(pk=ruleset.pk).update(is_active=False)
    RiskRuleset.objects.filter(pk=ruleset.pk).update(is_active=True, activated_at=timezone.now())
    risk_cache.clear()


def _declaration_submitted(username: str, invoice: str, *, vehicle: str = "14C-246.80"):
    """A declaration filed and submitted through the services (set-up, not the behaviour
    under test), routed when it commits."""
    from customs_core.models import User
    from declarations import services
    from declarations.testing import declaration_payload, parse

    user = User.objects.get(username=username)
    draft = services.declaration_create_draft(user=user, data=parse(declaration_payload(
        invoice_number=invoice, vehicles=[vehicle])))
    services.declaration_submit(declaration=draft, user=user)
    draft.refresh_from_db()
    return draft


def _fresh(declaration):
    declaration.refresh_from_db()
    return declaration


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _name(username: str) -> str:
    from customs_core.models import User

    user = User.objects.get(username=username)
    return user.get_full_name() or user.username


# --- people in the browser ------------------------------------------------------------------------
@pytest.fixture
def person(browser, browser_context_args, live_server):
    """person("doccheck") -> a page of its own browser context, logged in: several people at
    work at once, each in their own session."""
    contexts = []

    def login(username: str, *, language: str | None = None, width: int | None = None):
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        page = context.new_page()
        if width:
            page.set_viewport_size({"width": width, "height": 768})
        if language:
            _language(page, live_server, language)
        _login(page, live_server, username)
        return page

    yield login
    for context in contexts:
        context.close()


def _open_from_queue(page, live_server, check, *, scope="mine"):
    """The officer opens the check from their queue: the workbench loads beside it (htmx)."""
    page.goto(f"{live_server.url}/inspection/?scope={scope}")
    row = page.locator(f"[data-testid=queue-row][data-check='{check.pk}']")
    row.locator("[data-testid=open-check]").click()
    workbench = page.locator("#workbench [data-testid=workbench]")
    expect(workbench).to_have_attribute("data-check", str(check.pk))
    expect(row).to_have_class(re.compile(r"\bselected\b"))
    expect(page).to_have_url(re.compile(rf"[?&]scope={scope}&check={check.pk}$"))
    expect(page.locator("[data-testid=queue-table]")).to_be_visible()  # still beside the list
    return workbench


def _pay_everything(page, live_server, declaration, reference):
    """The enterprise pays what is still due on its declaration page."""
    page.goto(f"{live_server.url}/declarations/{declaration.pk}/")
    form = page.locator("[data-testid=pay-form]")
    amount = form.locator("input[name=amount_vnd]")
    expect(amount).to_be_visible()
    assert _digits(amount.input_value()) == str(int(_fresh(declaration).outstanding_vnd))
    form.locator("input[name=reference]").fill(reference)
    form.locator("[data-testid=pay]").click()
    expect(page.locator("[data-testid=timeline]")).to_contain_text(reference)
    assert _fresh(declaration).outstanding_vnd == 0


# --- 1. the yellow path ---------------------------------------------------------------------------
def test_a_yellow_declaration_is_amended_on_request_cleared_paid_and_let_out_at_the_gate(
        live_server, page, person):
    from declarations.models import Declaration
    from inspection.choices import CheckState
    from inspection.testing import open_check_of

    _route_everything("yellow")

    # The enterprise files and submits its declaration in the portal.
    _login(page, live_server, "declarant")
    page.goto(f"{live_server.url}/declarations/new/")
    _fill_declaration(page)
    page.fill("#id_invoice_number", "HX-BROWSER-Y01")
    page.select_option("#id_border_gate", "MCBL1")
    page.fill("#id_vehicles", "14C-888.66")
    page.click("[data-testid=save-declaration]")
    page.click("[data-testid=submit-declaration]")
    expect(page.locator("[data-testid=declaration-number]")).to_have_text(
        re.compile(r"^10\d{10}$"))
    declaration = Declaration.objects.get(invoice_number="HX-BROWSER-Y01")
    assert declaration.state == "yellow"
    check = open_check_of(declaration)
    officer = check.officer
    assert check.kind == "doc_check" and officer is not None

    # The assigned officer opens it from their queue and asks for an amendment.
    desk = person(officer.username)
    workbench = _open_from_queue(desk, live_server, check)
    expect(workbench.locator("[data-testid=check-officer]")).to_have_text(_name(officer.username))
    workbench.locator("#amd_issues").fill(
        "Bổ sung phiếu đóng gói (packing list)\n2: Số lượng kẹo không khớp hóa đơn")
    workbench.locator("[data-testid=request-amendment]").click()
    with translation.override("vi"):
        waiting = str(CheckState(CheckState.AWAITING_AMENDMENT).label)
    expect(desk.locator("#workbench [data-testid=check-state]")).to_have_text(waiting)
    assert _fresh(declaration).state == "amend_requested"

    # The enterprise reads what to correct and amends the declaration.
    page.goto(f"{live_server.url}/declarations/{declaration.pk}/")
    issues = page.locator("[data-testid=amendment-issues]")
    expect(issues).to_contain_text("Bổ sung phiếu đóng gói (packing list)")
    expect(issues).to_contain_text("Số lượng kẹo không khớp hóa đơn")
    issues.locator("[data-testid=amend-from-issues]").click()
    expect(page.locator("textarea[name=reason]")).to_be_visible()
    page.fill("[name=lines-1-quantity]", "700")
    page.fill("[name=lines-1-unit_price]", "2.40")  # the line's value (1,680 USD) unchanged
    page.fill("textarea[name=reason]", "Sửa số lượng dòng 2 theo yêu cầu của hải quan")
    page.click("[data-testid=save-declaration]")
    expect(page.locator("[data-testid=goods-lines]")).to_be_visible()  # back on its page
    expect(page.locator("[data-testid=amendment-issues]")).to_have_count(0)
    declaration = _fresh(declaration)
    assert declaration.state == "yellow" and declaration.amendment_count == 1

    # It comes back to the same officer, in their queue, who clears it.
    back = open_check_of(declaration)
    assert (back.pk, back.officer, back.state) == (check.pk, officer, CheckState.OPEN)
    desk.goto(f"{live_server.url}/inspection/?scope=mine")
    row = desk.locator(f"[data-testid=queue-row][data-check='{check.pk}']")
    expect(row.locator("[data-testid=open-check]")).to_have_text(declaration.number)
    workbench = _open_from_queue(desk, live_server, back)
    workbench.locator("#clr_conclusion").fill("Hồ sơ đầy đủ sau khi sửa đổi")
    workbench.locator("[data-testid=clear]").click()
    expect(desk.locator("#workbench [data-testid=check-outcome]")).to_be_visible()
    assert _fresh(declaration).state == "cleared"
    expect(row).to_have_count(0)  # the queue refreshed itself: nothing left there

    # The enterprise pays the duties; a gate officer lets the goods out.
    page.goto(f"{live_server.url}/declarations/{declaration.pk}/")
    expect(page.locator("[data-testid=enterprise-outcome]")).to_be_visible()
    _pay_everything(page, live_server, declaration, "KB-Y01-0001")

    gate = person("inspector")
    gate.goto(f"{live_server.url}/inspection/gate/")
    gate.fill("#id_q", declaration.number)
    gate.locator("[data-testid=gate-search] button[type=submit]").click()
    result = gate.locator("[data-testid=gate-result]")
    expect(result).to_have_count(1)
    expect(result.locator("[data-testid=gate-refusal]")).to_have_count(0)
    expect(result.locator("input[name=vehicle]")).to_have_value("14C88866")
    result.locator("[data-testid=confirm-gate-out]").click()
    expect(gate.locator("[data-testid=gate-result] [data-testid=gate-refusal]")).to_be_visible()
    assert _fresh(declaration).state == "gate_out"
    assert declaration.gate_exit.vehicle == "14C88866"


# --- 2. the red path ------------------------------------------------------------------------------
def test_a_red_declaration_is_inspected_found_short_fined_paid_and_released(
        live_server, page, person):
    from declarations.models import Violation
    from inspection.testing import open_check_of

    _route_everything("red")
    declaration = _declaration_submitted("declarant", "HX-BROWSER-R01")
    assert declaration.state == "red"
    check = open_check_of(declaration)
    assert check.kind == "inspection" and check.officer is not None
    line = declaration.lines.get(line_no=1)

    # The inspector schedules the examination.
    desk = person(check.officer.username)
    workbench = _open_from_queue(desk, live_server, check)
    when = (timezone.localtime() + timedelta(days=1)).replace(hour=9, minute=30)
    workbench.locator("#sch_method").select_option("partial")
    workbench.locator("#sch_share_percent").fill("30")
    workbench.locator("#sch_site").select_option("DKT-BL1")
    workbench.locator("#sch_scheduled_at").fill(when.strftime("%d/%m/%Y %H:%M"))
    workbench.locator("[data-testid=save-schedule]").click()
    schedule = desk.locator("#workbench [data-testid=schedule]")
    expect(schedule).to_contain_text(when.strftime("%d/%m/%Y %H:%M"))
    expect(schedule).to_contain_text("30%")

    # The enterprise, in its own session, sees where and when, and pays the duties declared.
    _login(page, live_server, "declarant")
    page.goto(f"{live_server.url}/declarations/{declaration.pk}/")
    expect(page.locator("[data-testid=enterprise-schedule]")).to_contain_text(
        when.strftime("%d/%m/%Y %H:%M"))
    _pay_everything(page, live_server, declaration, "KB-R01-0001")

    # Findings: line 1 holds twice what was declared.
    found = desk.locator("#workbench [data-testid=findings]")
    found.locator("[name='line-1-found_quantity']").fill(str(int(line.quantity * 2)))
    desk.locator("#workbench [data-testid=save-findings]").click()
    expect(desk.locator("#workbench [data-testid=findings] tr.differs")).to_have_count(1)
    expect(desk.locator(f"[data-testid=queue-row][data-check='{check.pk}']")).to_have_class(
        re.compile(r"\bselected\b"))  # the queue refreshed after the action, still marked

    # A violation, with its penalty: the duties are recomputed from the values found.
    form = desk.locator("#workbench [data-testid=form-violation]")
    form.locator("#vio_violation_type").select_option("quantity")
    form.locator("#vio_description").fill("Số lượng mì ăn liền thực tế gấp đôi khai báo")
    form.locator("#vio_penalty_vnd").fill("15000000")
    form.locator("#vio_penalty_decision_number").fill("125/QĐ-XPHC")
    form.locator("#vio_line_no").fill("1")
    form.locator("[data-testid=record-violation]").click()
    expect(desk.locator("#workbench [data-testid=duties-found]")).to_be_visible()
    declaration = _fresh(declaration)
    check.refresh_from_db()
    assert declaration.state == "violation"
    assert check.duties_found_vnd > check.duties_before_vnd
    assert declaration.outstanding_vnd == check.duties_found_vnd - check.duties_before_vnd
    assert _digits(desk.locator("#workbench [data-testid=duties-found]").inner_text()) == str(
        int(check.duties_found_vnd))
    assert _digits(desk.locator("#workbench [data-testid=outstanding]").inner_text()) == str(
        int(declaration.outstanding_vnd))
    violations = desk.locator("#workbench [data-testid=violations]")
    expect(violations).to_contain_text("125/QĐ-XPHC")
    expect(violations).to_contain_text("Số lượng mì ăn liền thực tế gấp đôi khai báo")

    # The enterprise sees the outcome and pays the extra duties.
    page.goto(f"{live_server.url}/declarations/{declaration.pk}/")
    expect(page.locator("[data-testid=enterprise-outcome]")).to_be_visible()
    expect(page.locator("[data-testid=timeline]")).to_contain_text(
        "Số lượng mì ăn liền thực tế gấp đôi khai báo")
    _pay_everything(page, live_server, declaration, "KB-R01-0002")

    # The inspector releases the goods with the penalty's payment reference.
    workbench = _open_from_queue(desk, live_server, check)
    workbench.locator("#stl_penalty_reference").fill("KB-PHAT-0001")
    workbench.locator("[data-testid=settle]").click()
    expect(desk.locator("#workbench [data-testid=violations]")).to_contain_text("KB-PHAT-0001")
    assert _fresh(declaration).state == "cleared"
    assert Violation.objects.get(declaration=declaration).penalty_paid_reference == "KB-PHAT-0001"
    check.refresh_from_db()
    assert check.state == "done"


# --- 3. claiming and reassigning in place ---------------------------------------------------------
def test_an_officer_claims_and_the_leader_reassigns_in_the_queue_without_leaving_it(
        live_server, page, person):
    from inspection.models import CheckEvent, TeamMember
    from inspection.testing import open_check_of

    _route_everything("yellow")
    TeamMember.objects.filter(team__code="GSKT1", officer__role="doc_check").update(on_duty=False)
    first = open_check_of(_declaration_submitted("declarant", "HX-BROWSER-C01"))
    second = open_check_of(_declaration_submitted("declarant", "HX-BROWSER-C02"))
    assert first.officer is None and second.officer is None  # waiting in the team's queue

    _login(page, live_server, "doccheck")
    page.goto(f"{live_server.url}/inspection/?scope=team")
    page.evaluate("window.__samePage = true")
    row = page.locator(f"[data-testid=queue-row][data-check='{first.pk}']")
    with translation.override("vi"):
        nobody = translation.gettext("nobody yet")
    expect(row.locator("[data-testid=row-officer]")).to_have_text(nobody)
    row.locator("[data-testid=claim]").click()
    expect(row.locator("[data-testid=row-officer]")).to_have_text(_name("doccheck"))
    expect(row.locator("[data-testid=claim]")).to_have_count(0)
    expect(page.locator(f"[data-testid=queue-row][data-check='{second.pk}'] "
                        "[data-testid=claim]")).to_be_visible()  # the other one still waits
    assert page.evaluate("window.__samePage") is True
    first.refresh_from_db()
    assert first.officer.username == "doccheck"
    row.locator("[data-testid=open-check]").click()  # and opens it from the row it claimed
    expect(page.locator("#workbench [data-testid=workbench]")).to_have_attribute(
        "data-check", str(first.pk))
    assert "scope=team" in page.url and f"check={first.pk}" in page.url
    assert page.evaluate("window.__samePage") is True

    lead = person("teamlead")
    lead.goto(f"{live_server.url}/inspection/?scope=team")
    lead.evaluate("window.__samePage = true")
    row = lead.locator(f"[data-testid=queue-row][data-check='{first.pk}']")
    expect(row.locator("[data-testid=row-officer]")).to_have_text(_name("doccheck"))
    row.locator("details.reassign summary").click()
    row.locator("select[name=officer]").select_option(label=_name("doccheck1b"))
    row.locator("input[name=reason]").fill("Anh Tuấn đi công tác chiều nay")
    row.locator("[data-testid=reassign]").click()
    expect(row.locator("[data-testid=row-officer]")).to_have_text(_name("doccheck1b"))
    assert lead.evaluate("window.__samePage") is True
    first.refresh_from_db()
    assert first.officer.username == "doccheck1b"
    event = CheckEvent.objects.filter(work=first, kind="reassigned").get()
    assert (event.actor.username, event.reason) == ("teamlead", "Anh Tuấn đi công tác chiều nay")


# --- 4. accessibility and layout ------------------------------------------------------------------
def test_the_inspection_pages_have_no_accessibility_violations(live_server, person):
    from decimal import Decimal

    from customs_core.models import InspectionSite
    from declarations import services as declaration_services
    from inspection import services
    from inspection.testing import open_check_of

    # Every state the pages show, set up through the services: a document check waiting for
    # the enterprise's amendment and one open, an inspection scheduled, one that found a
    # violation, a declaration cleared and paid (at the gate).
    _route_everything("yellow")
    amend = _declaration_submitted("declarant", "HX-BROWSER-A01", vehicle="14C-135.79")
    waiting = open_check_of(amend)
    services.check_request_amendment(check=waiting, by=waiting.officer, issues=[
        {"text": "Bổ sung phiếu đóng gói", "line_no": None},
        {"text": "Số lượng không khớp hóa đơn", "line_no": 2}])
    doc_check = open_check_of(_declaration_submitted("declarant2", "HX-BROWSER-A02",
                                                     vehicle="14C-246.13"))
    cleared = _declaration_submitted("declarant", "HX-BROWSER-A03", vehicle="14C-864.20")
    services.check_clear(check=open_check_of(cleared), by=open_check_of(cleared).officer,
                         conclusion="Hồ sơ đầy đủ")
    cleared.refresh_from_db()
    declaration_services.declaration_pay(declaration=cleared, user=cleared.declarant,
                                         amount_vnd=cleared.outstanding_vnd,
                                         reference="KB-A03-0001")
    _route_everything("red")
    scheduled = _declaration_submitted("declarant", "HX-BROWSER-A04", vehicle="14C-975.31")
    inspection = open_check_of(scheduled)
    services.inspection_schedule(check=inspection, by=inspection.officer, method="full",
                                 site=InspectionSite.objects.get(code="DKT-BL1"),
                                 scheduled_at=timezone.now() + timedelta(days=1))
    fined = _declaration_submitted("declarant", "HX-BROWSER-A05", vehicle="14C-975.32")
    found = open_check_of(fined)
    services.inspection_schedule(check=found, by=found.officer, method="scanner",
                                 site=InspectionSite.objects.get(code="DKT-BL1"),
                                 scheduled_at=timezone.now())
    services.findings_save(check=found, by=found.officer, findings=[
        {"line_no": 1, "found_quantity": Decimal(2400)}])
    services.check_record_violation(check=found, by=found.officer, violation_type="quantity",
                                    description="Số lượng gấp đôi", penalty_vnd=Decimal(15_000_000),
                                    penalty_decision_number="125/QĐ-XPHC", line_no=1)
    violations = {}

    def audit(page, name):
        if problems := _axe_violations(page, live_server):
            violations[name] = problems

    for language in ("vi", "en"):
        desk = person(inspection.officer.username, language=language)
        _open_from_queue(desk, live_server, inspection)
        audit(desk, f"queue with a scheduled inspection's workbench ({language})")
        desk.goto(f"{live_server.url}/inspection/checks/{found.pk}/")
        expect(desk.locator("[data-testid=duties-found]")).to_be_visible()
        audit(desk, f"workbench page of a violation ({language})")
        desk.goto(f"{live_server.url}/inspection/gate/?q=14C-864.20")
        expect(desk.locator("[data-testid=gate-exit-form]")).to_be_visible()
        audit(desk, f"gate with a result ({language})")
        desk.goto(f"{live_server.url}/inspection/gate/?q={scheduled.number}")
        expect(desk.locator("[data-testid=gate-refusal]")).to_be_visible()
        audit(desk, f"gate with a refusal ({language})")

        lead = person("teamlead", language=language)
        _open_from_queue(lead, live_server, doc_check, scope="team")
        lead.locator(f"[data-testid=queue-row][data-check='{doc_check.pk}'] details.reassign "
                     "summary").click()
        audit(lead, f"team queue with a document check's workbench ({language})")
        lead.goto(f"{live_server.url}/inspection/team/")
        expect(lead.locator("[data-testid=team-members]").first).to_be_visible()
        audit(lead, f"team page ({language})")

        enterprise = person("declarant", language=language)
        for declaration, testid in ((amend, "amendment-issues"),
                                    (scheduled, "enterprise-schedule"),
                                    (fined, "enterprise-outcome"),
                                    (cleared, "enterprise-outcome")):
            enterprise.goto(f"{live_server.url}/declarations/{declaration.pk}/")
            expect(enterprise.locator(f"[data-testid={testid}]")).to_be_visible()
            audit(enterprise, f"declaration {declaration.invoice_number}: {testid} ({language})")
    assert violations == {}


def test_the_queue_with_the_workbench_open_does_not_scroll_sideways_at_1366_px(
        live_server, person):
    from inspection.testing import open_check_of

    _route_everything("red")
    red = _declaration_submitted("declarant", "HX-BROWSER-W01")
    inspection = open_check_of(red)
    desk = person(inspection.officer.username, language="en", width=1366)
    workbench = _open_from_queue(desk, live_server, inspection)
    expect(workbench.locator("[data-testid=findings]")).to_be_visible()
    assert desk.evaluate(SIDEWAYS), "queue + inspection workbench"
    queue = desk.locator(".queue-list").bounding_box()
    pane = desk.locator("[data-testid=workbench-pane]").bounding_box()
    assert queue["x"] + queue["width"] <= 1366 and pane["x"] + pane["width"] <= 1366

    _route_everything("yellow")
    yellow = _declaration_submitted("declarant", "HX-BROWSER-W02")
    doc_check = open_check_of(yellow)
    lead = person("teamlead", language="en", width=1366)
    _open_from_queue(lead, live_server, doc_check, scope="team")
    lead.locator(f"[data-testid=queue-row][data-check='{doc_check.pk}'] details.reassign "
                 "summary").click()
    assert lead.evaluate(SIDEWAYS), "team queue + document check workbench, reassign open"
