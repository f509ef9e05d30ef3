"""Integration tokens (issue 20): per system, named, one enterprise's, expiring, revocable,
listed for the enterprise's administrator."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token

from customs_core.accounts import tokens
from customs_core.accounts.models import IntegrationToken

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _administrators(declarant_a, declarant_b):
    for user in (declarant_a, declarant_b):
        user.is_enterprise_admin = True
        user.save(update_fields=["is_enterprise_admin"])


def _bearer(api_client, key):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return api_client


def test_the_administrator_creates_a_token_and_sees_the_key_once(client, declarant_a):
    client.force_login(declarant_a)
    response = client.post("/accounts/tokens/", {"name": "ERP nhập khẩu", "days": "90"})
    assert response.status_code == 201
    key = response.context["issued_key"]
    token = IntegrationToken.objects.get()
    assert key.startswith(f"cgi_{token.prefix}_") and key not in str(token.__dict__)
    page = client.get("/accounts/tokens/")
    assert key.encode() not in page.content and b"ERP nh" in page.content
    assert token.expires_at - token.created_at == timedelta(days=90)


def test_an_expired_or_revoked_token_answers_401(api_client, declarant_a):
    token, key = tokens.token_issue(declarant_a, name="ERP", days=30)
    api = _bearer(api_client, key)
    api.cookies["customs_language"] = "en"
    assert api.get("/api/v1/declarations/").status_code == 200
    IntegrationToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())
    expired = api.get("/api/v1/declarations/")
    assert expired.status_code == 401 and "expired" in expired.json()["detail"]
    assert expired["WWW-Authenticate"]
    IntegrationToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() + timedelta(days=1))
    tokens.token_revoke(declarant_a, token.pk)
    revoked = api.get("/api/v1/declarations/")
    assert revoked.status_code == 401 and "revoked" in revoked.json()["detail"]


@pytest.mark.parametrize("key", ["cgi_00000000_nothing", "not-a-token", "cgi_"])
def test_an_unknown_key_answers_401(api_client, key):
    assert _bearer(api_client, key).get("/api/v1/declarations/").status_code == 401


def test_a_token_stops_when_its_account_leaves(api_client, declarant_a):
    _token, key = tokens.token_issue(declarant_a, name="ERP", days=30)
    declarant_a.is_active = False
    declarant_a.save()
    assert _bearer(api_client, key).get("/api/v1/declarations/").status_code == 401


def test_revoking_through_the_page(client, declarant_a):
    token, _key = tokens.token_issue(declarant_a, name="ERP", days=30)
    client.force_login(declarant_a)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at and token.revoked_by == declarant_a
    assert b"data-testid=\"token-revoke\"" not in client.get("/accounts/tokens/").content


def test_another_enterprises_token_cannot_be_revoked(client, declarant_a, declarant_b):
    token, _key = tokens.token_issue(declarant_b, name="ERP", days=30)
    client.force_login(declarant_a)
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_only_the_enterprises_administrator_manages_tokens(client, declarant_a, doc_checker):
    declarant_a.is_enterprise_admin = False
    declarant_a.save()
    client.force_login(declarant_a)
    assert client.get("/accounts/tokens/").status_code == 403
    assert client.post("/accounts/tokens/", {"name": "x", "days": "30"}).status_code == 403
    client.force_login(doc_checker)
    assert client.get("/accounts/tokens/").status_code == 403


def test_two_active_tokens_cannot_share_a_name(client, declarant_a):
    client.force_login(declarant_a)
    assert client.post("/accounts/tokens/", {"name": "ERP", "days": "30"}).status_code == 201
    again = client.post("/accounts/tokens/", {"name": "ERP", "days": "30"})
    assert again.status_code == 400 and again.context["form"].errors["name"]
    assert client.post("/accounts/tokens/", {"name": "ERP", "days": "7"}).status_code == 400
    assert IntegrationToken.objects.count() == 1


def test_a_persons_token_expires(api_as, declarant_a, settings):
    api = api_as(declarant_a)
    assert api.get("/api/v1/declarations/").status_code == 200
    Token.objects.filter(user=declarant_a).update(
        created=timezone.now() - settings.USER_TOKEN_LIFETIME - timedelta(seconds=1))
    assert api.get("/api/v1/declarations/").status_code == 401
