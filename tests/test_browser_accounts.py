"""Accounts in a real browser (issue 20): a new officer signs in, is sent to enrol an
authenticator, scans (reads) the key, confirms a code, keeps the recovery codes and reaches the
home page; the next sign-in asks for a code. An enterprise's administrator creates an
integration token, copies it once and revokes it. The password-reset request. Every page is
checked with axe."""

import base64

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from customs_core.testing.factories import PASSWORD, DeclarantFactory, UserFactory
from tests.test_browser import _axe_violations, _second_factor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _password_step(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")


def test_an_officer_enrols_an_authenticator_on_first_sign_in(live_server, page, reference_data):
    UserFactory(username="new-officer", role="inspection")
    _password_step(page, live_server, "new-officer")
    expect(page.locator("[data-testid=otp-setup]")).to_be_visible()
    assert "/accounts/second-factor/setup/" in page.url
    expect(page.locator("[data-testid=otp-qr] svg")).to_be_visible()
    assert _axe_violations(page, live_server) == []
    page.goto(f"{live_server.url}/inspection/")  # nothing else opens before enrolment
    expect(page.locator("[data-testid=otp-setup]")).to_be_visible()

    secret = page.inner_text("[data-testid=otp-secret]").strip()
    code = f"{TOTP(base64.b32decode(secret)).token():06d}"  # what the phone shows
    page.fill("[data-testid=otp-code]", code)
    page.click("[data-testid=otp-submit]")
    expect(page.locator("[data-testid=recovery-code]")).to_have_count(10)
    assert _axe_violations(page, live_server) == []
    page.click("[data-testid=recovery-continue]")
    page.wait_for_url(f"{live_server.url}/inspection/")  # where the officer was going

    page.context.clear_cookies()
    _password_step(page, live_server, "new-officer")
    expect(page.locator("[data-testid=otp-form]")).to_be_visible()
    assert "/accounts/second-factor/verify/" in page.url
    assert _axe_violations(page, live_server) == []
    page.fill("[data-testid=otp-code]", code)  # the code already used: refused
    page.click("[data-testid=otp-submit]")
    expect(page.locator("[role=alert]")).to_be_visible()
    _second_factor(page, "new-officer")
    expect(page.locator("[data-testid=home-title]")).to_be_visible()


def test_an_enterprise_administrator_issues_and_revokes_a_token(live_server, page,
                                                                reference_data):
    DeclarantFactory(username="erp-admin", is_enterprise_admin=True)
    _password_step(page, live_server, "erp-admin")
    page.wait_for_selector("[data-testid=home-title]")
    page.click("[data-testid=whoami]")
    assert _axe_violations(page, live_server) == []
    page.click("[data-testid=tokens-link]")
    page.fill("[data-testid=token-name]", "ERP – nhập khẩu")
    page.click("[data-testid=token-create]")
    key = page.inner_text("[data-testid=token-key]").strip()
    assert key.startswith("cgi_")
    assert _axe_violations(page, live_server) == []
    answer = page.request.get(f"{live_server.url}/api/v1/declarations/",
                              headers={"Authorization": f"Bearer {key}"})
    assert answer.status == 200

    page.goto(f"{live_server.url}/accounts/tokens/")  # the key is never shown again
    assert key not in page.content()
    page.click("[data-testid=token-revoke]")
    expect(page.locator("[data-testid=token-revoke]")).to_have_count(0)
    answer = page.request.get(f"{live_server.url}/api/v1/declarations/",
                              headers={"Authorization": f"Bearer {key}"})
    assert answer.status == 401


def test_a_forgotten_password_is_asked_for_from_the_sign_in_page(live_server, page,
                                                                  reference_data):
    page.goto(f"{live_server.url}/accounts/login/")
    page.click("[data-testid=forgot-password]")
    assert _axe_violations(page, live_server) == []
    page.fill("input[name=email]", "someone@example.vn")
    page.click("[data-testid=reset-submit]")
    assert page.url.endswith("/accounts/password-reset/sent/")


def test_a_password_is_reset_from_the_e_mail_link_and_changed_later(live_server, page,
                                                                    reference_data):
    """The e-mail's link (read from the test outbox) opens the new-password page; the new
    password signs in; the account page changes it again; the used link no longer works."""
    import re

    from django.core import mail

    DeclarantFactory(username="forgetful", email="forgetful@example.vn")
    page.goto(f"{live_server.url}/accounts/password-reset/")
    page.fill("input[name=email]", "forgetful@example.vn")
    page.click("[data-testid=reset-submit]")
    page.wait_for_url("**/accounts/password-reset/sent/")
    link = re.search(r"https?://\S+/accounts/password-reset/\S+/", mail.outbox[-1].body).group(0)
    path = link[link.index("/accounts/"):]
    page.goto(f"{live_server.url}{path}")
    page.fill("input[name=new_password1]", "Mong-Cai-cua-khau-27")
    page.fill("input[name=new_password2]", "Mong-Cai-cua-khau-27")
    assert _axe_violations(page, live_server) == []
    page.click("[data-testid=reset-confirm]")
    page.wait_for_url("**/accounts/password-reset/done/")
    assert _axe_violations(page, live_server) == []
    page.goto(f"{live_server.url}{path}")
    expect(page.locator("[data-testid=reset-invalid]")).to_be_visible()  # once only

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "forgetful")
    page.fill("input[name=password]", "Mong-Cai-cua-khau-27")
    page.click("[data-testid=login-submit]")
    page.wait_for_selector("[data-testid=home-title]")
    page.goto(f"{live_server.url}/accounts/password/")
    assert _axe_violations(page, live_server) == []
    page.fill("input[name=old_password]", "Mong-Cai-cua-khau-27")
    page.fill("input[name=new_password1]", "Hai-quan-Quang-Ninh-28")
    page.fill("input[name=new_password2]", "Hai-quan-Quang-Ninh-28")
    page.click("[data-testid=password-change-submit]")
    page.wait_for_url("**/accounts/security/")
