"""Contradictory or oversized money input is a 400 on the field, on every route that takes a
declaration body (create, update, amend, duty preview), and nothing is written."""

import pytest

from declarations.models import Declaration, GoodsLine
from declarations.testing import LINES, declaration_payload

pytestmark = pytest.mark.django_db
URL = "/api/v1/declarations/"

EXPORT = dict(flow="export", regime="B11", trading_country="CN",
              lines=[dict(LINES[0], origin_country="VN")])
VND_LINES = [dict(LINES[0], quantity="3", unit_price="1.5")]

CASES = {
    # VNACCS refuses insurance (IN1) on CIF/CIP: the price already holds it (DUTIES.md 1.1)
    "insurance on a CIF import": (dict(incoterm="CIF", insurance="10"), ["insurance"]),
    "freight on an FOB export": (dict(EXPORT, incoterm="FOB", freight="10"), ["freight"]),
    "decimals in a VND line value": (dict(currency="VND", lines=VND_LINES,
                                          total_invoice_value="4.5"),
                                     ["lines", "1", "unit_price"]),
    "decimals in a VND freight": (dict(currency="VND", incoterm="FOB", freight="10.5",
                                       lines=[dict(LINES[0], unit_price="1000")],
                                       total_invoice_value="1200000"), ["freight"]),
    "a DAP deduction larger than the goods": (dict(incoterm="DAP", freight="999999"),
                                              ["freight"]),
    # issue 12 item 3: amounts that pass the schema must not overflow the 18-digit VND columns
    "an invoice whose customs value overflows VND": (
        dict(lines=[dict(LINES[0], quantity="100", unit_price="999999999999")],
             total_invoice_value="99999999999900"), ["total_invoice_value"]),
    "a line value beyond the invoice columns": (
        dict(lines=[dict(LINES[0], quantity="9999999", unit_price="999999999999")],
             total_invoice_value="99999999999900"), ["lines", "1"]),
    "a quantity above the bound": (dict(lines=[dict(LINES[0], quantity="1000000000.001")]),
                                   ["lines"]),
}


def _count():
    return Declaration.objects.count(), GoodsLine.objects.count()


def _path(body, path):
    for key in path:
        assert isinstance(body, dict) and key in body, (path, body)
        body = body[key]
    return body


@pytest.mark.parametrize("case", list(CASES))
def test_create_refuses_it_on_the_field(api_as, declarant_a, case):
    overrides, path = CASES[case]
    response = api_as(declarant_a).post(URL, declaration_payload(**overrides), format="json")
    assert response.status_code == 400, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    _path(response.json(), path)
    assert _count() == (0, 0)


@pytest.mark.parametrize("case", list(CASES))
def test_duty_preview_refuses_it_on_the_field(api_as, declarant_a, case):
    overrides, path = CASES[case]
    response = api_as(declarant_a).post(f"{URL}duty-preview/", declaration_payload(**overrides),
                                        format="json")
    assert response.status_code == 400, response.content[:300]
    _path(response.json(), path)


@pytest.mark.parametrize("case", list(CASES))
def test_update_refuses_it_and_keeps_the_draft(api_as, declarant_a, make_declaration, case):
    overrides, path = CASES[case]
    draft = make_declaration()
    before = (draft.version, list(draft.lines.values_list("quantity", "unit_price")))
    response = api_as(declarant_a).put(f"{URL}{draft.pk}/", declaration_payload(**overrides),
                                       format="json")
    assert response.status_code == 400, response.content[:300]
    _path(response.json(), path)
    draft.refresh_from_db()
    assert before == (draft.version, list(draft.lines.values_list("quantity", "unit_price")))


@pytest.mark.parametrize("case", [c for c in CASES if "export" not in c])
def test_amend_refuses_it_and_keeps_the_declaration(api_as, declarant_a, make_declaration,
                                                    case):
    overrides, path = CASES[case]
    submitted = make_declaration(state="submitted")
    before = (submitted.version, submitted.amendment_count, submitted.number)
    response = api_as(declarant_a).post(f"{URL}{submitted.pk}/amend/",
                                        {**declaration_payload(**overrides), "reason": "fix"},
                                        format="json")
    assert response.status_code == 400, response.content[:300]
    _path(response.json(), path)
    submitted.refresh_from_db()
    assert before == (submitted.version, submitted.amendment_count, submitted.number)


def test_a_legal_vnd_invoice_with_whole_amounts_is_accepted(api_as, declarant_a):
    lines = [dict(LINES[0], quantity="3", unit_price="150000")]
    response = api_as(declarant_a).post(URL, declaration_payload(
        currency="VND", lines=lines, total_invoice_value="450000"), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["exchange_rate"] == "1.0000"


def test_the_schema_states_the_bounds():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    line = schema["components"]["schemas"]["GoodsLineInputRequest"]["properties"]
    header = schema["components"]["schemas"]["DeclarationInputRequest"]["properties"]
    assert "1,000,000,000" in line["quantity"]["description"]
    assert "VND" in header["total_invoice_value"]["description"]
