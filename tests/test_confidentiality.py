"""Risk criteria are never shown to enterprises: every GET of the OpenAPI schema, called with
an enterprise's token on its own routed declaration, returns no assessment field.

The operations come from the schema itself, so an endpoint added later is covered too.
"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from declarations.risk.services import declaration_route

pytestmark = pytest.mark.django_db

# Keys that only exist in risk data (the channel itself is public).
FORBIDDEN = {"score", "fired", "post_audit", "post_clearance_audit", "ruleset_version",
             "assessments", "points", "effect"}


def get_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(path for path, item in schema["paths"].items() if "get" in item)


def keys_of(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from keys_of(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from keys_of(inner)


@pytest.fixture
def routed(make_declaration, declarant_a):
    from declarations.risk.defaults import ruleset_install_defaults

    ruleset_install_defaults()
    declaration = make_declaration(state="submitted", preferential=True)
    declaration_route(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    assert declaration.assessments.exists()
    # A payment too, so that the receipt is there to read.
    from declarations.services import declaration_pay

    declaration_pay(declaration=declaration, user=declarant_a, amount_vnd=1000,
                    reference="KB-CONF-0001")
    declaration.refresh_from_db()
    return declaration


@pytest.mark.parametrize("path", get_operations())
def test_enterprise_token_reads_no_risk_field(api_as, declarant_a, routed, path):
    params = {"id": routed.pk, "hs_code": "19023040", "code": "MCBL1"}
    url = re.sub(r"\{(\w+)\}", lambda m: str(params.get(m.group(1), routed.pk)), path)
    query = {"q": "mi"} if path.endswith("/hs-suggestions/") else {}
    response = api_as(declarant_a).get(url, query)
    # 403: routes for officers only (checks, the gate, the teams) refuse an enterprise outright.
    assert response.status_code in {200, 403, 404}, (url, response.status_code)
    if path.startswith("/api/v1/reports/") and path != "/api/v1/reports/mine/":
        # The branch's figures name other enterprises: an enterprise reads none of them.
        assert response.status_code == 403, (url, response.status_code)
    if response.status_code == 200 and response["Content-Type"].startswith("application/json"):
        leaked = FORBIDDEN & set(keys_of(response.json()))
        assert not leaked, (url, leaked)


def test_the_officer_sees_what_the_enterprise_does_not(api_as, doc_checker, routed):
    body = api_as(doc_checker).get(f"/api/v1/declarations/{routed.pk}/risk/").json()
    assert FORBIDDEN & set(keys_of(body))
