"""Dates and decimals as people type them: dd/mm/yyyy in both languages, never mm/dd; decimal
comma in Vietnamese. The API keeps ISO dates."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from declarations.filters import DeclarationFilterSet
from declarations.forms import DeclarationForm, GoodsLineForm
from declarations.models import Declaration
from declarations.testing import LINES

from .test_pages import form_data

pytestmark = pytest.mark.django_db


def _filter_dates(language: str, **params):
    with translation.override(language):
        filterset = DeclarationFilterSet(params, queryset=Declaration.objects.none())
        assert filterset.is_valid(), filterset.errors
        return {key: filterset.form.cleaned_data[key] for key in params}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_01_11_2026_is_the_first_of_november(language):
    assert _filter_dates(language, date_from="01/11/2026") == {"date_from": date(2026, 11, 1)}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_13_11_2026_is_accepted(language):
    assert _filter_dates(language, date_to="13/11/2026") == {"date_to": date(2026, 11, 13)}


@pytest.mark.parametrize("language", ["vi", "en"])
def test_iso_dates_are_still_accepted(language):
    assert _filter_dates(language, date_from="2026-11-01") == {"date_from": date(2026, 11, 1)}


def test_the_list_page_filters_by_dates_typed_day_first(client, declarant_a, make_declaration):
    mine = make_declaration(state="submitted")
    client.force_login(declarant_a)
    today = timezone.localdate()
    since = (today - timedelta(days=12)).strftime("%d/%m/%Y")
    after = (today + timedelta(days=1)).strftime("%d/%m/%Y")
    page = client.get(reverse("declarations:list"), {"date_from": since}).content.decode()
    assert mine.number in page and 'class="error small"' not in page
    page = client.get(reverse("declarations:list"), {"date_from": after}).content.decode()
    assert mine.number not in page


def test_the_api_keeps_iso_dates(api_as, declarant_a, make_declaration):
    mine = make_declaration(state="submitted")
    since = (timezone.localdate() - timedelta(days=12)).isoformat()
    body = api_as(declarant_a).get("/api/v1/declarations/", {"date_from": since}).json()
    assert [row["id"] for row in body["results"]] == [mine.pk]


def test_invoice_date_typed_day_first_and_decimal_comma_in_vietnamese(client, declarant_a):
    client.force_login(declarant_a)
    lines = [dict(LINES[0], quantity="1200", unit_price="1,25")]
    response = client.post(reverse("declarations:new"),
                           form_data(lines=lines, invoice_date="20/11/2026",
                                     total_invoice_value="1500,00",
                                     gross_weight_kg="3100,5"))
    assert response.status_code == 302, response.content.decode()[:3000]
    declaration = Declaration.objects.get()
    assert declaration.invoice_date == date(2026, 11, 20)
    assert declaration.gross_weight_kg == Decimal("3100.5")
    assert declaration.lines.get().unit_price == Decimal("1.25")


def test_the_edit_page_shows_day_first_dates_and_decimal_commas(client, declarant_a,
                                                                 make_declaration):
    draft = make_declaration()
    client.force_login(declarant_a)
    page = client.get(reverse("declarations:edit", args=[draft.pk])).content.decode()
    assert f'value="{draft.invoice_date:%d/%m/%Y}"' in page
    assert 'value="1,25' in page  # the first line's unit price


@pytest.mark.parametrize("language, placeholder", [("vi", "nn/tt/nnnn"), ("en", "dd/mm/yyyy")])
def test_date_inputs_say_how_to_type_a_date(language, placeholder):
    with translation.override(language):
        html = str(DeclarationForm()["invoice_date"])
        filter_html = str(DeclarationFilterSet().form["date_from"])
    assert f'placeholder="{placeholder}"' in html and f'placeholder="{placeholder}"' in filter_html
    assert 'type="date"' not in html


def test_decimal_inputs_are_localized_text_inputs_with_a_decimal_keypad():
    html = str(GoodsLineForm()["unit_price"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html
