"""The bonded-warehouse pages: scoped like the API (another enterprise gets 404), officers'
decisions through the forms (errors shown on the page, nothing written), the report's
downloads, the declaration panel's form that names the lots of a draft exit."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from customs_core.testing.factories import DeclarantFactory, EnterpriseFactory
from inspection.warehouses.models import StockDraw, StockMovement
from inspection.warehouses.testing import bonded_draft, ledger_sum, stock_in

pytestmark = pytest.mark.django_db


def test_every_page_answers_an_officer(client, declarant_a, supervisor):
    item = stock_in(declarant_a, "100")
    client.force_login(supervisor)
    for url in (reverse("warehouses:list"), reverse("warehouses:overdue"),
                reverse("warehouses:held"), reverse("warehouses:item", args=[item.pk])):
        assert client.get(url).status_code == 200, url
    for tab in ("stock", "movements", "report", "nonsense"):
        page = client.get(reverse("warehouses:detail", args=["20BBW01"]), {"tab": tab})
        assert page.status_code == 200 and item.lot in page.content.decode()


def test_another_enterprise_gets_404_on_every_page_of_a_lot_not_its_own(client, declarant_a):
    item = stock_in(declarant_a, "100")
    client.force_login(DeclarantFactory(username="stranger", enterprise=EnterpriseFactory()))
    for url in (reverse("warehouses:detail", args=["20BBW01"]),
                reverse("warehouses:report", args=["20BBW01"]) + "?month=01/2026",
                reverse("warehouses:item", args=[item.pk])):
        assert client.get(url).status_code == 404, url
    listed = client.get(reverse("warehouses:list")).content.decode()
    assert "20BBW01" not in listed
    assert item.lot not in client.get(reverse("warehouses:overdue")).content.decode()


def test_an_adjustment_through_the_page(client, declarant_a, supervisor):
    item = stock_in(declarant_a, "10")
    client.force_login(supervisor)
    url = reverse("warehouses:adjust", args=[item.pk])
    refused = client.post(url, {"quantity": "-10.5", "reason": "Hao hụt"})
    assert refused.status_code == 400 and "10.5" in refused.content.decode()
    assert client.post(url, {"quantity": "-2.5", "reason": "Hao hụt"}).status_code == 302
    item.refresh_from_db()
    assert item.quantity == Decimal("7.5") == ledger_sum(item)
    client.force_login(declarant_a)
    assert client.post(url, {"quantity": "-1", "reason": "x"}).status_code == 403
    assert StockMovement.objects.count() == 2


def test_vietnamese_numbers_and_dates_are_read_on_the_forms(client, declarant_a, supervisor):
    item = stock_in(declarant_a, "10")
    client.force_login(supervisor)
    client.cookies.load({"django_language": "vi"})
    response = client.post(reverse("warehouses:adjust", args=[item.pk]),
                           {"quantity": "-1,25", "reason": "Hao hụt"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 302
    until = item.term_until.replace(year=item.term_until.year + 1)
    response = client.post(reverse("warehouses:extend", args=[item.pk]),
                           {"until": until.strftime("%d/%m/%Y"), "reason": "Gia hạn"},
                           HTTP_ACCEPT_LANGUAGE="vi")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.quantity == Decimal("8.75") and item.term_until == until


def test_the_report_downloads_for_the_chosen_month(client, declarant_a, supervisor):
    item = stock_in(declarant_a, "100")
    client.force_login(supervisor)
    month = timezone.localdate().strftime("%m/%Y")
    url = reverse("warehouses:report", args=["20BBW01"])
    response = client.get(url, {"month": month, "download": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][0] == item.lot and Decimal(rows[1][-1]) == 100
    response = client.get(url, {"month": month, "download": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert client.get(url, {"month": "13/2026"}).status_code == 302  # back to the form


def test_the_panel_names_the_lots_of_a_draft_exit(client, declarant_a):
    item = stock_in(declarant_a, "100")
    draft = bonded_draft(declarant_a, regime="C12", quantities=("30",))
    client.force_login(declarant_a)
    page = client.get(reverse("declarations:detail", args=[draft.pk])).content.decode()
    assert 'data-testid="draws-form"' in page and item.lot in page
    response = client.post(reverse("warehouses:draws", args=[draft.pk]),
                           {"line-1": str(item.pk)}, follow=True)
    assert response.status_code == 200
    assert StockDraw.objects.get(declaration=draft).item_id == item.pk
    other = DeclarantFactory(username="other", enterprise=EnterpriseFactory())
    client.force_login(other)
    assert client.post(reverse("warehouses:draws", args=[draft.pk]),
                       {"line-1": str(item.pk)}).status_code == 404
