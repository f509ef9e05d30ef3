"""Every validation rule answers 400 naming the field, and writes nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from customs_core.models import ExchangeRate
from declarations.models import Declaration, Document, GoodsLine, IdempotencyKey
from declarations.testing import LINES, declaration_payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/declarations/"


def _nothing_written():
    return (Declaration.objects.count(), GoodsLine.objects.count(), Document.objects.count(),
            IdempotencyKey.objects.count()) == (0, 0, 0, 0)


def _line(**changes):
    return [dict(LINES[0], **changes), *LINES[1:]]


CASES = {
    "unknown HS code": (dict(lines=_line(hs_code="99999999")), ["lines", "1", "hs_code"]),
    "HS code not 8 digits": (dict(lines=_line(hs_code="0810")), ["lines"]),
    "regime of the other flow": (dict(regime="B11"), ["regime"]),
    "unknown regime": (dict(regime="Z99"), ["regime"]),
    "unknown currency": (dict(currency="XXX"), ["currency"]),
    "unknown border gate": (dict(border_gate="NOWHERE"), ["border_gate"]),
    "unknown origin country": (dict(lines=_line(origin_country="ZZ")),
                               ["lines", "1", "origin_country"]),
    "zero quantity": (dict(lines=_line(quantity="0")), ["lines"]),
    "negative price": (dict(lines=_line(unit_price="-1")), ["lines"]),
    "invoice total differs from lines": (dict(total_invoice_value="99999.99"),
                                         ["total_invoice_value"]),
    "bad container check digit": (dict(containers=["CSQU3054384"]), ["containers"]),
    "container listed twice": (dict(containers=["CSQU3054383", "CSQU3054383"]), ["containers"]),
    "C11 without bonded warehouse": (dict(regime="C11"), ["bonded_warehouse"]),
    "invoice dated in the future": (
        dict(invoice_date=(timezone.localdate() + timedelta(days=5)).isoformat()),
        ["invoice_date"]),
    "no goods line": (dict(lines=[]), ["lines"]),
    "51 goods lines": (dict(lines=[dict(LINES[0])] * 51), ["lines"]),
    "unknown field": (dict(colour="red"), ["colour"]),
    "line value not quantity x price": (dict(lines=_line(line_value="1.00")),
                                        ["lines", "1", "line_value"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_invalid_declaration_is_400_naming_the_field_and_writes_nothing(api_as, declarant_a,
                                                                         case):
    overrides, path = CASES[case]
    payload = declaration_payload(**overrides)
    if case == "51 goods lines":
        payload["total_invoice_value"] = "75000"
    response = api_as(declarant_a).post(URL, payload, format="json",
                                        HTTP_IDEMPOTENCY_KEY=f"k-{case}")
    assert response.status_code == 400, response.json()
    body = response.json()
    for key in path:
        assert key in body, (case, body)
        body = body[key]
    assert _nothing_written()


def test_no_exchange_rate_for_the_week_is_400_on_currency(api_as, declarant_a):
    ExchangeRate.objects.filter(currency_id="USD").delete()
    response = api_as(declarant_a).post(URL, declaration_payload(), format="json")
    assert response.status_code == 400 and "currency" in response.json()
    assert _nothing_written()


@pytest.mark.parametrize("status, debt_days, code", [
    ("suspended", 0, "enterprise_suspended"),
    ("dissolved", 0, "enterprise_dissolved"),
    ("active", 91, "tax_debt_overdue"),
])
def test_blocked_enterprise_cannot_register(api_as, declarant_a, status, debt_days, code):
    enterprise = declarant_a.enterprise
    enterprise.status = status
    if debt_days:
        enterprise.tax_debt_vnd = 12_000_000
        enterprise.tax_debt_overdue_since = timezone.localdate() - timedelta(days=debt_days)
    enterprise.save()
    response = api_as(declarant_a).post(URL, declaration_payload(), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code and response.json()["field"] == "enterprise"
    assert _nothing_written()


def test_enterprise_with_invalid_tax_code_cannot_register(api_as, declarant_a):
    from customs_core.models import Enterprise

    Enterprise.objects.filter(pk=declarant_a.enterprise_id).update(tax_code="0100233584")
    declarant_a.refresh_from_db()
    response = api_as(declarant_a).post(URL, declaration_payload(), format="json")
    assert response.status_code == 400 and response.json()["field"] == "enterprise"
    assert _nothing_written()


def test_preferential_claim_without_certificate_cannot_be_submitted(api_as, declarant_a):
    client = api_as(declarant_a)
    created = client.post(URL, declaration_payload(preferential=True), format="json").json()
    response = client.post(f"{URL}{created['id']}/submit/")
    assert response.status_code == 400 and "documents" in response.json()
    assert Declaration.objects.get(pk=created["id"]).state == "draft"
    assert not Declaration.objects.get(pk=created["id"]).events.exists()


def test_certificate_of_another_agreement_does_not_cover_the_origin(api_as, declarant_a):
    from declarations.testing import pdf_file

    client = api_as(declarant_a)
    created = client.post(URL, declaration_payload(preferential=True), format="json").json()
    client.post(f"{URL}{created['id']}/documents/",
                {"doc_type": "certificate_of_origin", "co_form": "D", "file": pdf_file()},
                format="multipart")
    response = client.post(f"{URL}{created['id']}/submit/")
    assert response.status_code == 400
    assert "preferential_claimed" in response.json()["lines"]["1"]


def test_processing_regime_needs_the_contract(api_as, declarant_a):
    client = api_as(declarant_a)
    created = client.post(URL, declaration_payload(regime="E21"), format="json").json()
    response = client.post(f"{URL}{created['id']}/submit/")
    assert response.status_code == 400 and "documents" in response.json()


@pytest.mark.parametrize("upload, field", [
    ({"doc_type": "invoice", "file": ("x.exe", b"MZ\x90\x00", "application/pdf")}, "file"),
    ({"doc_type": "invoice", "file": ("x.txt", b"hello", "text/plain")}, "file"),
    ({"doc_type": "certificate_of_origin", "file": ("c.pdf", b"%PDF-1.4", "application/pdf")},
     "co_form"),
    ({"doc_type": "passport", "file": ("c.pdf", b"%PDF-1.4", "application/pdf")}, "doc_type"),
])
def test_bad_documents_are_refused(api_as, declarant_a, make_declaration, upload, field):
    from django.core.files.uploadedfile import SimpleUploadedFile

    declaration = make_declaration()
    name, content, content_type = upload.pop("file")
    upload["file"] = SimpleUploadedFile(name, content, content_type=content_type)
    response = api_as(declarant_a).post(f"{URL}{declaration.pk}/documents/", upload,
                                        format="multipart")
    assert response.status_code == 400 and field in response.json()
    assert not declaration.documents.exists()


def test_document_over_10_mb_is_refused(api_as, declarant_a, make_declaration, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    declaration = make_declaration()
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024), "application/pdf")
    response = api_as(declarant_a).post(f"{URL}{declaration.pk}/documents/",
                                        {"doc_type": "invoice", "file": big}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()
