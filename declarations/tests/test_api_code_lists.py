"""An integrator can read every code the declaration schema accepts (issue: hardening)."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db

# Declaration input field -> (reference endpoint, key of a row)
CODE_FIELDS = {
    "regime": ("/api/v1/regimes/", "code"),
    "office": ("/api/v1/customs-offices/", "code"),
    "border_gate": ("/api/v1/border-gates/", "code"),
    "trading_country": ("/api/v1/countries/", "code"),
    "currency": ("/api/v1/currencies/", "code"),
    "bonded_warehouse": ("/api/v1/bonded-warehouses/", "code"),
}
LINE_CODE_FIELDS = {
    "hs_code": ("/api/v1/tariff-lines/", "hs_code"),
    "origin_country": ("/api/v1/countries/", "code"),
}
ENUM_FIELDS = {  # schema component -> code list
    ("DeclarationInputRequest", "flow"): "flows",
    ("DeclarationInputRequest", "transport_mode"): "transport-modes",
    ("DeclarationInputRequest", "incoterm"): "incoterms",
    ("DocumentInputRequest", "doc_type"): "document-types",
    ("DocumentInputRequest", "co_form"): "certificate-forms",
}


def _codes(client, url, key):
    codes, page = set(), 1
    while True:
        body = client.get(url, {"page": page, "page_size": 200}).json()
        codes |= {row[key] for row in body["results"]}
        if not body["next"]:
            return codes
        page += 1


def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]


def test_every_code_field_of_the_declaration_has_a_reference_list(api_as, declarant_a):
    from declarations.testing import declaration_payload

    client = api_as(declarant_a)
    payload = declaration_payload(bonded_warehouse=None)
    from customs_core.models import BondedWarehouse

    payload["bonded_warehouse"] = BondedWarehouse.objects.values_list("code", flat=True).first()
    for field, (url, key) in CODE_FIELDS.items():
        assert payload[field] in _codes(client, url, key), field
    for field, (url, key) in LINE_CODE_FIELDS.items():
        assert payload["lines"][0][field] in _codes(client, url, key), field
    properties = _schema()["DeclarationInputRequest"]["properties"]
    assert set(CODE_FIELDS) | {f for (_, f) in ENUM_FIELDS} <= set(properties) | {
        "doc_type", "co_form"}


@pytest.mark.parametrize("component, field", list(ENUM_FIELDS))
def test_every_enumeration_is_a_code_list_with_both_labels(api_as, declarant_a, component,
                                                           field):
    schemas = _schema()
    prop = schemas[component]["properties"][field]
    ref = prop.get("$ref") or next(p["$ref"] for p in prop.get("allOf", prop.get("oneOf", []))
                                   if "$ref" in p)
    enum = {value for value in schemas[ref.rsplit("/", 1)[1]]["enum"] if value}
    body = api_as(declarant_a).get(f"/api/v1/code-lists/{ENUM_FIELDS[(component, field)]}/")
    assert body.status_code == 200
    entries = body.json()["entries"]
    assert {entry["code"] for entry in entries} == enum
    assert all(entry["label_vi"] and entry["label_en"] for entry in entries)


def test_units_of_the_tariff_are_a_code_list(api_as, declarant_a):
    from customs_core.models import TariffLine

    units = set(TariffLine.objects.values_list("unit", flat=True))
    body = api_as(declarant_a).get("/api/v1/code-lists/units/").json()
    assert units <= {entry["code"] for entry in body["entries"]}


def test_an_unknown_code_list_is_404(api_as, declarant_a):
    assert api_as(declarant_a).get("/api/v1/code-lists/colours/").status_code == 404


def test_code_lists_are_listed(api_as, declarant_a):
    names = {row["name"] for row in api_as(declarant_a).get("/api/v1/code-lists/").json()}
    assert {"incoterms", "document-types", "units", "flows", "transport-modes"} <= names
