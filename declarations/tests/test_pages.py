"""The enterprise portal and the officers' list, through Django's test client."""

import pytest
from django.urls import reverse

from declarations.models import Declaration
from declarations.testing import LINES, declaration_make, pdf_file

pytestmark = pytest.mark.django_db


def form_data(*, lines=LINES, co_form="", **overrides):
    data = {"flow": "import", "regime": "A11", "office": "20BB", "border_gate": "MCBL1",
            "transport_mode": "road", "trading_country": "CN", "partner_name": "Dongxing Huaxin",
            "invoice_number": "HX-1", "invoice_date": "2026-11-20", "incoterm": "DAP",
            "currency": "USD", "total_invoice_value": "3980", "freight": "0", "insurance": "0",
            "gross_weight_kg": "3100", "packages": "200", "containers": "CSQU3054383",
            "co_form": co_form, "co_reference": "",
            "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1", "lines-MAX_NUM_FORMS": "50"}
    for index, line in enumerate(lines):
        for key, value in line.items():
            data[f"lines-{index}-{key}"] = value
        if co_form:
            data[f"lines-{index}-preferential_claimed"] = "on"
    data.update(overrides)
    return data


def test_new_declaration_form_renders_with_one_line(client, declarant_a):
    client.force_login(declarant_a)
    page = client.get(reverse("declarations:new")).content.decode()
    assert 'name="lines-0-hs_code"' in page and "data-hs-input" in page
    assert 'data-hs-url="/declarations/hs-suggest/"' in page and 'id="hs-codes"' not in page


def test_posting_the_form_with_a_certificate_creates_a_preferential_draft(client, declarant_a):
    client.force_login(declarant_a)
    data = form_data(co_form="E", co_file=pdf_file())
    response = client.post(reverse("declarations:new"), data)
    declaration = Declaration.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("declarations:detail", args=[declaration.pk])
    assert {line.duty_schedule for line in declaration.lines.all()} == {"ACFTA"}
    assert declaration.documents.get().co_form == "E"


def test_service_errors_land_on_the_form_and_write_nothing(client, declarant_a):
    client.force_login(declarant_a)
    bad_line = dict(LINES[0], hs_code="99999999")
    response = client.post(reverse("declarations:new"),
                           form_data(lines=[bad_line, *LINES[1:]], total_invoice_value="1"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "99999999" in page and 'class="error small"' in page
    assert not Declaration.objects.exists()


def test_line_row_is_served_for_htmx(client, declarant_a):
    client.force_login(declarant_a)
    row = client.get(reverse("declarations:line-row"), {"index": 3}).content.decode()
    assert 'name="lines-3-hs_code"' in row
    assert client.get(reverse("declarations:line-row"), {"index": "x"}).status_code == 400


def test_duty_preview_shows_acfta_when_form_e_is_chosen(client, declarant_a):
    client.force_login(declarant_a)
    page = client.post(reverse("declarations:duty-preview"), form_data(co_form="E")).content
    assert b"ACFTA" in page and b"preview-total" in page


def test_detail_page_shows_lines_duties_and_timeline(client, declarant_a, make_declaration):
    declaration = make_declaration(state="submitted", preferential=True)
    client.force_login(declarant_a)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert declaration.number in page and "ACFTA" in page and 'data-testid="timeline"' in page


def test_submit_cancel_and_pay_from_the_detail_page(client, declarant_a, make_declaration):
    client.force_login(declarant_a)
    draft = make_declaration()
    client.post(reverse("declarations:submit", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.state == "submitted"
    client.post(reverse("declarations:pay", args=[draft.pk]),
                {"amount_vnd": str(draft.total_duty_vnd), "reference": "KB-77"})
    draft.refresh_from_db()
    assert draft.outstanding_vnd == 0
    other = make_declaration()
    client.post(reverse("declarations:cancel", args=[other.pk]), {"reason": ""})
    other.refresh_from_db()
    assert other.state == "cancelled"


def test_amend_page_registers_an_amendment(client, declarant_a, make_declaration):
    declaration = make_declaration(state="submitted")
    client.force_login(declarant_a)
    assert client.get(reverse("declarations:edit", args=[declaration.pk])).status_code == 200
    response = client.post(reverse("declarations:edit", args=[declaration.pk]),
                           form_data(invoice_number="HX-2", reason="Sai số hóa đơn"))
    assert response.status_code == 302
    declaration.refresh_from_db()
    assert declaration.amendment_count == 1 and declaration.number.endswith("1")


def test_officer_list_shows_every_enterprise(client, doc_checker, declarant_a, declarant_b,
                                             make_declaration):
    a = make_declaration(state="submitted")
    b = make_declaration(user=declarant_b, state="submitted")
    client.force_login(doc_checker)
    page = client.get(reverse("declarations:list")).content.decode()
    assert a.number in page and b.number in page
    assert reverse("declarations:new") not in page.split("<main")[1]


def test_list_filter_errors_do_not_500(client, doc_checker):
    client.force_login(doc_checker)
    response = client.get(reverse("declarations:list"), {"state": "nope", "hs_code": "x"})
    assert response.status_code == 200


def test_officer_cannot_open_the_new_declaration_form(client, doc_checker):
    client.force_login(doc_checker)
    assert client.get(reverse("declarations:new")).status_code == 403


def test_leader_home_shows_the_channel_mix_chart(client, leader, make_declaration):
    from declarations.risk.services import declaration_route

    declaration_route(declaration_id=make_declaration(state="submitted").pk)
    client.force_login(leader)
    page = client.get(reverse("home")).content.decode()
    assert "canvas data-chart" in page and "doughnut" in page


def test_declarant_home_lists_its_latest_declarations(client, declarant_a, make_declaration):
    declaration = make_declaration(state="submitted")
    client.force_login(declarant_a)
    page = client.get(reverse("home")).content.decode()
    assert declaration.number in page and "canvas" not in page


def _english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_duty_preview_explains_an_hs_code_not_in_the_tariff(client, settings, declarant_a):
    _english(client, settings)
    client.force_login(declarant_a)
    mistyped = dict(LINES[1], hs_code="17049098")
    response = client.post(reverse("declarations:duty-preview"),
                           form_data(lines=[LINES[0], mistyped, LINES[2]]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Line 2 — HS code: HS code 17049098 is not in the tariff." in page
    assert "preview-total" not in page


def test_duty_preview_explains_an_invoice_total_that_is_not_the_sum(client, settings,
                                                                     declarant_a):
    """Typing line 1 after the invoice total: the total differs from the lines so far."""
    _english(client, settings)
    client.force_login(declarant_a)
    response = client.post(reverse("declarations:duty-preview"), form_data(lines=LINES[:1]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Invoice total: The invoice total 3,980 differs from the sum of the line " \
           "values 1,500." in page


def test_duty_preview_problems_are_translated(client, declarant_a):
    client.force_login(declarant_a)
    mistyped = dict(LINES[0], hs_code="17049098")
    page = client.post(reverse("declarations:duty-preview"),
                       form_data(lines=[mistyped])).content.decode()
    assert "Dòng 1 — Mã HS: " in page


def test_an_empty_goods_line_gets_field_errors_not_a_formset_message(client, settings,
                                                                     declarant_a):
    _english(client, settings)
    client.force_login(declarant_a)
    empty = {"hs_code": "", "description": "", "origin_country": "CN", "quantity": "",
             "unit_price": ""}
    page = client.post(reverse("declarations:new"), form_data(lines=[empty])).content.decode()
    assert "Please submit at least" not in page
    assert "Line 1 — HS code: This field is required." in page
    assert "Line 1 — Quantity: This field is required." in page
    assert not Declaration.objects.exists()


def test_a_declaration_without_any_line_is_told_so_in_vietnamese(client, declarant_a):
    client.force_login(declarant_a)
    page = client.post(reverse("declarations:new"), form_data(lines=[])).content.decode()
    assert "Please submit at least" not in page
    assert "Tờ khai phải có ít nhất một dòng hàng." in page


def test_shape_and_meaning_errors_show_in_one_pass_with_a_summary(client, settings,
                                                                  declarant_a):
    """A mistyped weight (shape) and an HS code not in the tariff (meaning) together."""
    _english(client, settings)
    client.force_login(declarant_a)
    unknown = dict(LINES[1], hs_code="17049098")
    page = client.post(reverse("declarations:new"),
                       form_data(lines=[LINES[0], unknown, LINES[2]],
                                 gross_weight_kg="abc")).content.decode()
    summary = page.split('data-testid="error-summary"')[1].split("</div>")[0]
    assert 'role="alert"' in page.split('data-testid="error-summary"')[0][-200:]
    assert "2 problems to correct" in summary
    assert '<a href="#id_gross_weight_kg">Gross weight (kg): Enter a number.</a>' in summary
    assert ('<a href="#id_lines-1-hs_code">Line 2 — HS code: HS code 17049098 is not in the '
            'tariff.</a>') in summary
    assert 'id="id_lines-1-hs_code"' in page and 'id="id_gross_weight_kg"' in page


def test_numbers_in_validation_messages_follow_the_language(client, settings, declarant_a):
    client.force_login(declarant_a)
    data = form_data(total_invoice_value="50000")
    page = client.post(reverse("declarations:new"), data).content.decode()
    assert "50.000" in page and "3.980" in page  # Vietnamese: dot groups thousands
    assert "50000.0000" not in page and "50.0000" not in page
    _english(client, settings)
    page = client.post(reverse("declarations:new"), data).content.decode()
    assert "The invoice total 50,000 differs from the sum of the line values 3,980." in page


def test_duty_schedules_show_as_words_not_codes(client, declarant_a, make_declaration):
    """E31 (export production) lines are duty exempt: the declarant reads "Miễn thuế"."""
    draft = make_declaration(regime="E31")
    assert {line.duty_schedule for line in draft.lines.all()} == {"EXEMPT"}
    client.force_login(declarant_a)
    page = client.get(reverse("declarations:detail", args=[draft.pk])).content.decode()
    assert "EXEMPT" not in page and "Miễn thuế" in page
    preview = client.post(reverse("declarations:duty-preview"),
                          form_data(regime="E31")).content.decode()
    assert "EXEMPT" not in preview and "Miễn thuế" in preview


def test_duty_schedule_labels_are_translated():
    from django.utils import translation

    from declarations.choices import DutySchedule, duty_schedule_label

    with translation.override("vi"):
        labels = {code: duty_schedule_label(code) for code in DutySchedule.values}
    assert labels["NOT_SUBJECT"] == "Không chịu thuế" and labels["EXEMPT"] == "Miễn thuế"
    assert "ACFTA" in labels["ACFTA"] and labels["ACFTA"] != "ACFTA"
    assert duty_schedule_label("RCEP") == "RCEP"


@pytest.mark.parametrize("state, badges", [("green", 1), ("doc_check", 2)])
def test_the_channel_badge_shows_only_when_the_state_is_not_the_channel(
        client, declarant_a, make_declaration, state, badges):
    declaration = declaration_make(state=state, user=declarant_a)
    client.force_login(declarant_a)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    head = page.split('class="page-head')[1].split("</p>")[0]
    assert head.count('class="badge ') == badges
