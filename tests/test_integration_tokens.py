"""An enterprise system's integration token acts for its own enterprise only (issue 20)."""

import pytest

from customs_core.accounts import tokens

pytestmark = pytest.mark.django_db


def test_a_token_acts_for_its_enterprise_only(api_client, declarant_a, make_declaration,
                                              declarant_b):
    own = make_declaration(user=declarant_a)
    other = make_declaration(user=declarant_b)
    _token, key = tokens.token_issue(declarant_a, name="ERP", days=30)
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    api = api_client
    listed = api.get("/api/v1/declarations/").json()["results"]
    assert [row["id"] for row in listed] == [own.pk]
    assert api.get(f"/api/v1/declarations/{other.pk}/").status_code == 404
    assert api.put(f"/api/v1/declarations/{other.pk}/", {}, format="json").status_code == 404
    assert api.get(f"/api/v1/declarations/{other.pk}/print/").status_code == 404
