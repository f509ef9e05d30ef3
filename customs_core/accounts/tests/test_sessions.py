"""Sessions (issue 20): the officers' idle timeout, signing out everywhere, password change and
reset by e-mail with a single-use expiring link."""

import re
import time

import pytest
from django.core import mail
from django.test import Client
from rest_framework.authtoken.models import Token

from customs_core.accounts.middleware import LAST_SEEN_KEY

pytestmark = pytest.mark.django_db


def _idle(client, minutes):
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - minutes * 60
    session.save()


def test_an_officer_idle_past_the_limit_is_signed_out(client, doc_checker, settings):
    settings.SESSION_IDLE_TIMEOUT_MINUTES = 30
    client.force_login(doc_checker)
    _idle(client, 29)
    assert client.get("/declarations/").status_code == 200  # and the clock restarts
    _idle(client, 31)
    response = client.get("/declarations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/declarations/")
    assert client.get("/declarations/").status_code == 302  # the session is gone


def test_a_pages_own_polling_does_not_keep_the_session_alive(client, doc_checker):
    client.force_login(doc_checker)
    _idle(client, 29)
    assert client.get("/declarations/", headers={"X-Background": "1"}).status_code == 200
    assert client.session[LAST_SEEN_KEY] <= int(time.time()) - 29 * 60  # the clock runs on


def test_an_idle_officers_api_call_gets_401(client, doc_checker):
    client.force_login(doc_checker)
    _idle(client, 31)
    response = client.get("/api/v1/declarations/")
    assert response.status_code == 401
    assert response.json()["code"] == "session_idle_timeout"


def test_an_enterprise_user_has_no_idle_timeout(client, declarant_a):
    client.force_login(declarant_a)
    _idle(client, 120)
    assert client.get("/declarations/").status_code == 200


def test_signing_out_everywhere_ends_every_session_and_the_api_token(client, leader, api_as):
    other = Client()
    other.force_login(leader)
    api = api_as(leader)
    assert api.get("/api/v1/declarations/").status_code == 200
    client.force_login(leader)
    response = client.post("/accounts/security/sign-out-everywhere/")
    assert response.status_code == 302
    assert other.get("/declarations/").status_code == 302  # the other browser too
    assert client.get("/declarations/").status_code == 302
    assert api.get("/api/v1/declarations/").status_code == 401
    assert not Token.objects.filter(user=leader).exists()
    leader.refresh_from_db()
    client.force_login(leader)  # a new sign-in works
    assert client.get("/declarations/").status_code == 200


def test_changing_the_password_signs_out_the_other_sessions(client, declarant_a, password):
    other = Client()
    other.force_login(declarant_a)
    client.force_login(declarant_a)
    response = client.post("/accounts/password/", {
        "old_password": password, "new_password1": "Cua-khau-Mong-Cai-2027",
        "new_password2": "Cua-khau-Mong-Cai-2027"})
    assert response.status_code == 302
    assert client.get("/declarations/").status_code == 200
    assert other.get("/declarations/").status_code == 302


def _reset_link(message) -> str:
    return re.search(r"https?://[^/]+(/accounts/password-reset/[^\s]+/)", message.body).group(1)


def test_a_reset_link_sets_a_new_password_once(client, declarant_a):
    declarant_a.email, declarant_a.language = "lan@example.vn", "en"
    declarant_a.save()
    response = client.post("/accounts/password-reset/", {"email": "LAN@example.vn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lan@example.vn"]
    assert "set a new password" in mail.outbox[0].subject  # the user's language
    link = _reset_link(mail.outbox[0])
    form = client.get(link, follow=True)
    assert form.context["validlink"]
    set_url = form.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "12345678", "new_password2": "12345678"})
    assert weak.status_code == 200 and weak.context["form"].errors  # the password rules hold
    done = client.post(set_url, {"new_password1": "Hai-Phong-cang-2027",
                                 "new_password2": "Hai-Phong-cang-2027"})
    assert done.status_code == 302
    declarant_a.refresh_from_db()
    assert declarant_a.check_password("Hai-Phong-cang-2027")
    again = Client().get(link, follow=True)
    assert not again.context["validlink"]  # single use


def test_a_reset_link_expires(client, declarant_a, settings, monkeypatch):
    from datetime import datetime, timedelta

    from django.contrib.auth.tokens import PasswordResetTokenGenerator

    declarant_a.email = "lan@example.vn"
    declarant_a.save()
    client.post("/accounts/password-reset/", {"email": "lan@example.vn"})
    link = _reset_link(mail.outbox[0])
    later = datetime.now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 5)
    monkeypatch.setattr(PasswordResetTokenGenerator, "_now", lambda self: later)
    assert not client.get(link, follow=True).context["validlink"]


def test_an_unknown_address_looks_the_same_and_sends_nothing(client):
    response = client.post("/accounts/password-reset/", {"email": "nobody@example.vn"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password-reset/sent/"
    assert mail.outbox == []


def test_the_security_page_shows_each_part(client, declarant_a, doc_checker):
    declarant_a.is_enterprise_admin = True
    declarant_a.save()
    client.force_login(declarant_a)
    page = client.get("/accounts/security/")
    assert page.status_code == 200 and b'data-testid="otp-enable"' in page.content
    assert b'data-testid="tokens-link"' in page.content  # the enterprise's administrator
    client.force_login(doc_checker)
    page = client.get("/accounts/security/")
    assert b"second-factor-off" not in page.content and b"tokens-link" not in page.content
