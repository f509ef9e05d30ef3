"""Bonded-warehouse supervision in a real browser: an officer reads the warehouses and their
statuses, a lot's ledger, adjusts a count (and is refused taking more than there is),
transfers part of a lot, extends a storage term past which the goods were flagged, reads and
downloads the monthly report, and lets goods a suspended warehouse held move; an enterprise
names on its draft re-export the lot it draws on, which is reserved when the declaration is
registered, and another enterprise cannot see any of it. Every page is checked with axe, in
Vietnamese.

Stock is put in bond through the services (set-up, not the behaviour under test); everything
the people do, they do in the browser.

Vietnamese: the new strings of these pages are not translated yet, so there is no "no English
left" check here (customs_core/tests/test_translations.py asks for the catalogue to be complete).
Headings, labels and messages are found by what the Vietnamese catalogue says for them (today
the English text, the translation once it is there); what is already translated is asserted as
Vietnamese: the statuses, the warehouses' names, numbers and dates written the Vietnamese way."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone, translation
from playwright.sync_api import expect

from tests.test_browser import (  # noqa: F401 (demo_world: a fixture, used by pytestmark)
    _axe_violations,
    _language,
    _login,
    demo_world,
)
from tests.test_browser_inspection import _route_everything

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("demo_world")]


# --- set-up in the database -----------------------------------------------------------------------
def _route_green() -> None:
    """No risk rule, no random selection: whatever is submitted is routed green."""
    from declarations.risk import cache as risk_cache
    from declarations.risk.models import RiskRule, RiskRuleset

    RiskRule.objects.update(is_active=False)
    RiskRuleset.objects.update(min_random_percent=0, post_audit_random_percent=0,
                               expected_yellow_percent=0, expected_red_percent=0)
    risk_cache.clear()


def _user(username: str):
    from customs_core.models import User

    return User.objects.get(username=username)


def _fresh(instance):
    instance.refresh_from_db()
    return instance


def _vi(message: str) -> str:
    """What a page in Vietnamese shows for this string of the catalogue."""
    with translation.override("vi"):
        return translation.gettext(message)


def _vi_number(value) -> str:
    from customs_core.money import format_number

    with translation.override("vi"):
        return format_number(Decimal(value))


def _row(page, testid: str, href: str):
    """The row of a table holding a link to `href`."""
    return page.locator(f"[data-testid={testid}] tbody tr").filter(
        has=page.locator(f"a[href='{href}']"))


# Beside axe: every form control is named by exactly one label of its own (axe passes a label
# whose `for` names another control's duplicated id, which leaves this one without a name).
UNLABELLED = """() => [...document.querySelectorAll(
    'main input:not([type=hidden]), main select, main textarea')]
    .filter(e => e.labels.length !== 1 && !e.getAttribute('aria-label'))
    .map(e => `${e.name} (#${e.id}): ${e.labels.length} labels`)"""


def _audit(violations: dict, page, live_server, name: str) -> None:
    problems = _axe_violations(page, live_server) + page.evaluate(UNLABELLED)
    if problems:
        violations[name] = problems


# --- 1. an officer supervises the warehouses ------------------------------------------------------
def test_an_officer_adjusts_a_lot_extends_a_term_downloads_the_report_and_lets_held_goods_move(
        live_server, page):
    from customs_core.models import BondedWarehouse
    from inspection import services as inspection_services
    from inspection.testing import open_check_of
    from inspection.warehouses import services
    from inspection.warehouses.choices import MovementKind
    from inspection.warehouses.models import HeldMovement, StockItem
    from inspection.warehouses.testing import bonded_draft, stock_in, submit

    _route_green()
    declarant = _user("declarant")
    today = timezone.localdate()
    lot = stock_in(declarant, "100")  # 20BBW01
    old = stock_in(declarant, "40")  # 20BBW01, then past its term and flagged by the beat task
    StockItem.objects.filter(pk=old.pk).update(term_until=today - timedelta(days=3))
    services.stock_flag_overdue(today)
    # A C11 into 20BBW02 routed yellow; the warehouse is suspended while its documents are
    # checked, so the goods cleared afterwards wait for an officer.
    _route_everything("yellow")
    entry = submit(bonded_draft(declarant, warehouse="20BBW02", quantities=("7",)), declarant)
    check = open_check_of(entry)
    BondedWarehouse.objects.filter(code="20BBW02").update(
        suspended_since=today, suspension_reason="Kiểm tra đột xuất")
    inspection_services.check_clear(check=check, by=check.officer, conclusion="Hồ sơ đầy đủ")
    assert _fresh(entry).state == "cleared"
    held = HeldMovement.objects.get(declaration=entry)
    bbw01 = BondedWarehouse.objects.get(code="20BBW01")
    active, suspended = _vi("Active"), _vi("Suspended")
    violations = {}

    _language(page, live_server, "vi")
    _login(page, live_server, "inspector")
    assert page.locator("html").get_attribute("lang") == "vi"

    # The list, from the menu: every warehouse with its status, lots and lots past term.
    page.locator(".mainnav a[href='/warehouses/']").click()
    expect(page.locator("h1")).to_have_text(_vi("Bonded warehouses and duty-free shops"))
    first = _row(page, "warehouse-table", "/warehouses/20BBW01/")
    expect(first).to_contain_text(bbw01.name_vi)  # the name in the page's language
    expect(first.locator("[data-testid=warehouse-status]")).to_have_text(active)
    expect(first.locator("td.num").nth(1)).to_have_text("2")  # lots in stock
    expect(first.locator("td.num").nth(2)).to_have_text("1")  # past their term
    for code in ("20BBW02", "20BBW08"):  # 20BBW08: suspended by the demo data
        expect(_row(page, "warehouse-table", f"/warehouses/{code}/").locator(
            "[data-testid=warehouse-status]")).to_have_text(suspended)
    alerts = page.locator("[data-testid=warehouse-alerts]")
    expect(alerts.locator("a[href='/warehouses/overdue/']")).to_be_visible()
    expect(alerts.locator("a[href='/warehouses/held/']")).to_be_visible()
    _audit(violations, page, live_server, "warehouse list")

    # One warehouse: its registry and its stock.
    first.locator("a[href='/warehouses/20BBW01/']").click()
    expect(page.locator("h1")).to_contain_text(bbw01.name_vi)
    expect(page.locator("h1 [data-testid=warehouse-status]")).to_have_text(active)
    expect(page.locator("[data-testid=warehouse-facts]")).to_contain_text(bbw01.licence_number)
    stock = page.locator("[data-testid=stock-table]")
    expect(stock.locator("tbody tr")).to_have_count(2)
    expect(_row(page, "stock-table", f"/warehouses/stock/{old.pk}/").locator(
        ".badge-overdue")).to_be_visible()
    _audit(violations, page, live_server, "warehouse: stock tab")

    # A lot: an adjustment with a reason (a Vietnamese decimal comma), then one that would take
    # more than there is, refused on the page.
    _row(page, "stock-table", f"/warehouses/stock/{lot.pk}/").locator("a").click()
    quantity = page.locator("[data-testid=item-quantity]")
    expect(quantity).to_have_text("100 KGM")
    _audit(violations, page, live_server, "lot with the officer's decisions")
    adjust = page.locator("[data-testid=adjust-form]")
    adjust.get_by_label(_vi("Quantity (negative removes)")).fill("-12,5")
    adjust.get_by_label(_vi("Reason")).fill("Kiểm kê: hao hụt tự nhiên")
    adjust.get_by_role("button", name=_vi("Record the adjustment")).click()
    expect(page.locator(".messages .msg-success")).to_have_text(_vi("Adjustment recorded."))
    expect(quantity).to_have_text(f"{_vi_number('87.5')} KGM")
    expect(page.locator("[data-testid=item-movements] tbody tr").first).to_contain_text(
        "Kiểm kê: hao hụt tự nhiên")
    assert _fresh(lot).quantity == Decimal("87.5")
    assert lot.movements.get(kind=MovementKind.ADJUSTMENT).actor.username == "inspector"

    adjust.get_by_label(_vi("Quantity (negative removes)")).fill("-500")
    adjust.get_by_label(_vi("Reason")).fill("Tiêu huỷ hàng hỏng")
    adjust.get_by_role("button", name=_vi("Record the adjustment")).click()
    refused = page.locator("[data-testid=adjust-form] [role=alert]")
    expect(refused).to_be_visible()
    expect(refused).to_contain_text("500")  # asked
    expect(refused).to_contain_text(_vi_number("87.5"))  # available
    expect(adjust.get_by_label(_vi("Quantity (negative removes)"))).to_have_value("-500")
    expect(page.locator("[data-testid=item-quantity]")).to_have_text(
        f"{_vi_number('87.5')} KGM")
    assert _fresh(lot).quantity == Decimal("87.5") and lot.movements.count() == 2
    _audit(violations, page, live_server, "lot with a refused adjustment")

    # Part of the lot moves to another warehouse, same lot there.
    transfer = page.locator("[data-testid=transfer-form]")
    transfer.get_by_label(_vi("To warehouse")).select_option("20BBW03")
    transfer.get_by_label(_vi("Quantity")).fill("20")
    transfer.get_by_label(_vi("Reason")).fill("Chuyển sang kho lạnh")
    transfer.get_by_role("button", name=_vi("Transfer")).click()
    expect(page.locator(".messages .msg-success")).to_have_text(_vi("Transfer recorded."))
    expect(quantity).to_have_text(f"{_vi_number('67.5')} KGM")
    moved = StockItem.objects.get(warehouse__code="20BBW03", lot=lot.lot)
    assert (_fresh(lot).quantity, moved.quantity) == (Decimal("67.5"), 20)

    # Back to the warehouse: its movements, its monthly report, the report as CSV.
    page.locator("h1 a[href='/warehouses/20BBW01/']").click()
    page.locator("a[href='?tab=movements']").click()
    movements = page.locator("[data-testid=movement-table]")
    expect(movements.locator("tbody tr")).to_have_count(4)  # 2 entries, adjustment, transfer
    with translation.override("vi"):
        kinds = [str(MovementKind(kind).label) for kind in ("transfer_out", "adjustment")]
    expect(movements.locator("tbody tr").nth(0)).to_contain_text(kinds[0])
    expect(movements.locator("tbody tr").nth(0)).to_contain_text("Chuyển sang kho lạnh")
    expect(movements.locator("tbody tr").nth(1)).to_contain_text(kinds[1])
    expect(movements.locator("tbody tr").nth(1)).to_contain_text("Kiểm kê: hao hụt tự nhiên")
    _audit(violations, page, live_server, "warehouse: movements tab")

    page.locator("a[href='?tab=report']").click()
    month = page.locator("[data-testid=report-form]").get_by_label(_vi("Month"))
    expect(month).to_have_value(today.strftime("%m/%Y"))  # this month, no error
    expect(page.locator("[data-testid=report-form] [role=alert]")).to_have_count(0)
    report = page.locator("[data-testid=report-table]")
    expect(report).to_contain_text(today.strftime("%m/%Y"))
    cells = report.locator("tbody tr").filter(has_text=lot.lot).locator("td.num")
    expect(cells).to_have_text(["0", "100", _vi_number("32.5"), _vi_number("67.5")])
    _audit(violations, page, live_server, "warehouse: monthly report tab")
    with page.expect_download() as download:
        page.locator("[data-testid=report-csv]").click()
    assert download.value.suggested_filename == f"stock-20BBW01-{today:%Y-%m}.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("\ufeff")  # a spreadsheet reads the Vietnamese as written
    heading, *lines = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    rows = {row[0]: row for row in lines}
    assert len(heading) == 10 and set(rows) == {lot.lot, old.lot}
    assert [Decimal(figure) for figure in rows[lot.lot][6:]] == [0, 100, Decimal("32.5"),
                                                                  Decimal("67.5")]
    assert Decimal(rows[old.lot][9]) == 40
    assert rows[lot.lot][2] == declarant.enterprise.tax_code

    # Goods past their storage term: the officer extends the term (dd/mm/yyyy), the flag goes.
    page.locator("nav.subnav a[href='/warehouses/overdue/']").click()
    expect(page.locator("h1")).to_have_text(_vi("Goods past their storage term"))
    overdue = _row(page, "overdue-table", f"/warehouses/stock/{old.pk}/")
    expect(overdue).to_contain_text((today - timedelta(days=3)).strftime("%d/%m/%Y"))
    expect(page.locator("[data-testid=overdue-table] tbody tr")).to_have_count(1)
    _audit(violations, page, live_server, "goods past their storage term")
    overdue.locator(f"a[href='/warehouses/stock/{old.pk}/']").click()
    term = page.locator("[data-testid=item-term]")
    expect(term.locator(".badge-overdue")).to_be_visible()
    until = today + timedelta(days=90)
    extend = page.locator("[data-testid=extend-form]")
    extend.get_by_label(_vi("New end of term")).fill(until.strftime("%d/%m/%Y"))
    extend.get_by_label(_vi("Reason")).fill("Chờ tái xuất theo hợp đồng 15/2026")
    extend.get_by_role("button", name=_vi("Extend")).click()
    expect(page.locator(".messages .msg-success")).to_have_text(_vi("Storage term extended."))
    expect(term).to_have_text(until.strftime("%d/%m/%Y"))  # and no "past term" badge
    expect(page.locator("section[aria-labelledby=extensions]")).to_contain_text(
        "Chờ tái xuất theo hợp đồng 15/2026")
    old = _fresh(old)
    assert (old.term_until, old.overdue_since) == (until, None)
    _audit(violations, page, live_server, "lot with an extended term")
    page.locator("nav.subnav a[href='/warehouses/overdue/']").click()
    expect(page.locator("[data-testid=overdue-table] tbody tr")).to_have_text(
        _vi("No goods are past their storage term."))

    # Goods a suspended warehouse held: the officer lets them in, with the decision's reason.
    page.locator("nav.subnav a[href='/warehouses/held/']").click()
    expect(page.locator("h1")).to_have_text(_vi("Goods held for an officer's decision"))
    waiting = _row(page, "held-table", f"/declarations/{entry.pk}/")
    expect(waiting).to_contain_text("20BBW02")
    expect(waiting.locator("[data-testid=warehouse-status]")).to_have_text(suspended)
    expect(waiting.locator("td.num")).to_have_text("7 KGM")
    _audit(violations, page, live_server, "goods held for an officer")
    waiting.get_by_label(_vi("Reason")).fill("Quyết định 15/QĐ-HQMC: cho nhập kho")
    waiting.get_by_role("button", name=_vi("Let the goods move")).click()
    expect(page.locator(".messages .msg-success")).to_have_text(
        _vi("Decision recorded: the goods have moved."))
    expect(waiting).to_contain_text("Quyết định 15/QĐ-HQMC: cho nhập kho")
    expect(waiting.locator("[data-testid=held-apply]")).to_have_count(0)
    held = _fresh(held)
    assert (held.state, held.decided_by.username) == ("applied", "inspector")
    assert _fresh(held.item).quantity == 7
    waiting.locator(f"a[href='/warehouses/stock/{held.item_id}/']").click()
    expect(page.locator("[data-testid=item-quantity]")).to_have_text("7 KGM")
    expect(page.locator("[data-testid=item-movements]")).to_contain_text(entry.number)
    _audit(violations, page, live_server, "lot let in by an officer")
    assert violations == {}


# --- 2. an enterprise names the lot its re-export draws on ----------------------------------------
def test_an_enterprise_names_the_lot_its_re_export_draws_on_and_another_cannot_see_it(
        live_server, page):
    from inspection.warehouses.models import StockDraw
    from inspection.warehouses.testing import bonded_draft, stock_in

    _route_green()
    declarant = _user("declarant")
    lot = stock_in(declarant, "100")
    other = stock_in(declarant, "25", hs_code="17049099")  # another HS code: not offered
    draft = bonded_draft(declarant, regime="C12", quantities=("30",))
    _route_everything("yellow")  # registered, it waits for its documents to be checked
    violations = {}

    _language(page, live_server, "vi")
    _login(page, live_server, "declarant")
    page.goto(f"{live_server.url}/declarations/{draft.pk}/")
    panel = page.locator("[data-testid=draws-panel]")
    choice = panel.get_by_label(_vi("Lot for line %(n)s") % {"n": 1})
    expect(choice.locator("option")).to_have_count(2)  # "not named" and the one lot that fits
    expect(choice.locator(f"option[value='{other.pk}']")).to_have_count(0)
    choice.select_option(str(lot.pk))
    _audit(violations, page, live_server, "draft C12 with the lots to name")
    panel.get_by_role("button", name=_vi("Save the lots")).click()
    expect(page.locator(".messages .msg-success")).to_have_text(
        _vi("Stock named: it is reserved when the declaration is registered."))
    expect(choice).to_have_value(str(lot.pk))  # the page again, the lot named
    draw = StockDraw.objects.get(declaration=draft)
    assert (draw.line_no, draw.item_id, draw.quantity, draw.state) == (1, lot.pk, 30, "named")
    assert _fresh(lot).reserved == 0  # named on a draft: nothing held yet

    # Registered: the lot is reserved, the panel shows it, the lot's page lists the exit.
    page.locator("[data-testid=submit-declaration]").click()
    expect(page.locator("[data-testid=declaration-number]")).to_have_text(
        re.compile(r"^\d{12}$"))
    assert _fresh(draft).state == "yellow"
    drawn = page.locator("[data-testid=draws-table] tbody tr")
    expect(drawn).to_have_count(1)
    expect(drawn).to_contain_text(_vi("Reserved"))
    assert (_fresh(lot).quantity, lot.reserved) == (100, 30)
    _audit(violations, page, live_server, "registered C12 with its reserved lot")
    drawn.locator(f"a[href='/warehouses/stock/{lot.pk}/']").click()
    expect(page.locator("[data-testid=item-quantity]")).to_have_text("100 KGM")
    expect(page.locator("section[aria-labelledby=draws]")).to_contain_text(
        _fresh(draft).number)
    expect(page.locator("[data-testid=adjust-form]")).to_have_count(0)  # officers only
    _audit(violations, page, live_server, "lot page of its owner")

    # The enterprise's list: only the warehouse holding its goods.
    page.locator(".mainnav a[href='/warehouses/']").click()
    expect(page.locator("[data-testid=warehouse-table] tbody tr")).to_have_count(1)
    expect(_row(page, "warehouse-table", "/warehouses/20BBW01/")).to_be_visible()
    _audit(violations, page, live_server, "warehouse list of an enterprise")

    # Another enterprise: none of it exists.
    page.context.clear_cookies()
    _language(page, live_server, "vi")
    _login(page, live_server, "declarant2")
    for path in (f"/warehouses/stock/{lot.pk}/", "/warehouses/20BBW01/",
                 "/warehouses/20BBW01/?tab=report"):
        assert page.goto(f"{live_server.url}{path}").status == 404, path
    page.goto(f"{live_server.url}/warehouses/")
    expect(page.locator("[data-testid=warehouse-table] tbody tr")).to_have_text(
        _vi("No bonded warehouse to show."))
    assert violations == {}
