"""The second factor (issue 20): officers reach nothing before it; a wrong or replayed code is
refused; recovery codes work once each; enterprises may turn it on."""

import threading
import time

import pytest
from django.db import connection
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from customs_core.accounts import second_factor
from customs_core.testing.second_factor import (
    authenticator_of,
    code_now,
    fresh_code,
    password_only_force_login,
)
from customs_core.testing.services import require_postgresql

pytestmark = pytest.mark.django_db


def _verify(client, code, next_url="/"):
    return client.post(f"/accounts/second-factor/verify/?next={next_url}", {"code": code})


@pytest.mark.parametrize("path", ["/", "/declarations/", "/risk/", "/inspection/",
                                  "/reports/", "/admin/", "/tariff/"])
def test_an_officer_without_a_second_factor_reaches_only_the_enrolment_page(client, doc_checker,
                                                                               admin_user, path):
    password_only_force_login(client, admin_user if path == "/admin/" else doc_checker)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/second-factor/setup/?next=")
    assert client.get("/accounts/second-factor/setup/").status_code == 200


def test_the_operator_reads_the_metrics_only_after_the_second_factor(client, admin_user):
    password_only_force_login(client, admin_user)
    assert client.get("/metrics").status_code == 302
    client.force_login(admin_user)
    assert client.get("/metrics").status_code == 200


def test_the_api_refuses_an_officers_session_without_the_second_factor(client, doc_checker):
    password_only_force_login(client, doc_checker)
    response = client.get("/api/v1/declarations/")
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


def test_an_officers_token_works_only_once_a_second_factor_is_enrolled(api_client, doc_checker):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=doc_checker)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get("/api/v1/declarations/").status_code == 401
    authenticator_of(doc_checker)
    assert api_client.get("/api/v1/declarations/").status_code == 200


def test_enrolment_confirms_the_authenticator_and_shows_ten_recovery_codes(client, inspector):
    password_only_force_login(client, inspector)
    page = client.get("/accounts/second-factor/setup/")
    assert b"<svg" in page.content and page.context["secret"]
    device = TOTPDevice.objects.get(user=inspector, confirmed=False)
    # reloading keeps the same key: the officer may be scanning it
    assert client.get("/accounts/second-factor/setup/").context["secret"] == page.context["secret"]

    wrong = client.post("/accounts/second-factor/setup/", {"code": "000000"
                        if code_now(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert client.get("/inspection/").status_code == 302

    done = client.post("/accounts/second-factor/setup/?next=/inspection/",
                       {"code": fresh_code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get("/inspection/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_an_enrolled_officer_must_enter_a_code_and_a_wrong_one_is_refused(client, doc_checker):
    device = authenticator_of(doc_checker)
    password_only_force_login(client, doc_checker)
    assert client.get("/declarations/")["Location"].startswith("/accounts/second-factor/verify/")
    good = fresh_code(device)
    wrong = str((int(good) + 1) % 1_000_000).zfill(6)
    response = _verify(client, wrong)
    assert response.status_code == 400
    assert client.get("/declarations/").status_code == 302
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)  # no waiting
    response = _verify(client, good, "/declarations/")
    assert response.status_code == 302 and response["Location"] == "/declarations/"
    assert client.get("/declarations/").status_code == 200


def test_a_used_code_is_refused_in_another_session(client, doc_checker):
    from django.test import Client

    device = authenticator_of(doc_checker)
    code = fresh_code(device)
    password_only_force_login(client, doc_checker)
    assert _verify(client, code).status_code == 302
    other = Client()
    other.cookies["customs_language"] = "en"
    password_only_force_login(other, doc_checker)
    response = _verify(other, code)
    assert response.status_code == 400
    assert "already used" in response.context["form"].errors["code"][0]


def test_a_stolen_password_cannot_replace_the_authenticator(client, doc_checker):
    authenticator_of(doc_checker)
    password_only_force_login(client, doc_checker)
    response = client.get("/accounts/second-factor/setup/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/second-factor/verify/")


def test_recovery_codes_work_once_each(client, team_leader):
    from django.test import Client

    authenticator_of(team_leader)
    codes = second_factor.recovery_codes_new(team_leader)
    password_only_force_login(client, team_leader)
    assert _verify(client, codes[0].upper()).status_code == 302  # case and spaces don't matter
    assert client.get("/inspection/").status_code == 200
    again = Client()
    password_only_force_login(again, team_leader)
    assert _verify(again, codes[0]).status_code == 400
    assert StaticToken.objects.filter(device__user=team_leader).count() == 9
    from django_otp.plugins.otp_static.models import StaticDevice
    StaticDevice.objects.filter(user=team_leader).update(throttling_failure_count=0)
    assert _verify(again, f" {codes[1][:4]} {codes[1][4:]} ").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, leader):
    old = second_factor.recovery_codes_new(leader)
    client.force_login(leader)
    response = client.post("/accounts/security/recovery-codes/")
    assert response.status_code == 200
    new = response.context["codes"]
    assert not set(old) & set(StaticToken.objects.filter(device__user=leader)
                              .values_list("token", flat=True))
    assert len(new) == 10


def test_an_enterprise_user_may_turn_it_on_and_then_needs_it(client, declarant_a):
    from django.test import Client

    password_only_force_login(client, declarant_a)
    assert client.get("/declarations/").status_code == 200  # optional: off by default
    client.get("/accounts/second-factor/setup/")
    device = TOTPDevice.objects.get(user=declarant_a, confirmed=False)
    assert client.post("/accounts/second-factor/setup/", {"code": fresh_code(device)}
                       ).status_code == 200
    later = Client()
    password_only_force_login(later, declarant_a)
    assert later.get("/declarations/")["Location"].startswith("/accounts/second-factor/verify/")
    assert _verify(later, fresh_code(device)).status_code == 302
    # and may turn it off again with a current code
    response = later.post("/accounts/security/second-factor-off/", {"code": fresh_code(device)})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=declarant_a).exists()


def test_an_officer_cannot_turn_it_off(client, doc_checker):
    device = authenticator_of(doc_checker)
    client.force_login(doc_checker)
    response = client.post("/accounts/security/second-factor-off/", {"code": fresh_code(device)})
    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=doc_checker, confirmed=True).exists()


def test_the_verify_page_sends_only_to_this_site(client, doc_checker):
    device = authenticator_of(doc_checker)
    password_only_force_login(client, doc_checker)
    response = _verify(client, fresh_code(device), "https://evil.example/")
    assert response["Location"] == "/"


# --- the API's token ----------------------------------------------------------------------------
def _token(api_client, user, password, **extra):
    return api_client.post("/api/v1/auth/token/",
                           {"username": user.username, "password": password, **extra},
                           format="json")


def test_an_officer_obtains_a_token_only_with_a_valid_unused_code(api_client, doc_checker,
                                                                  password):
    assert _token(api_client, doc_checker, password).status_code == 403  # not enrolled
    device = authenticator_of(doc_checker)
    missing = _token(api_client, doc_checker, password)
    assert missing.status_code == 400 and "otp_code" in missing.json()
    code = fresh_code(device)
    ok = _token(api_client, doc_checker, password, otp_code=code)
    assert ok.status_code == 200 and ok.json()["token"] and ok.json()["expires"]
    replayed = _token(api_client, doc_checker, password, otp_code=code)
    assert replayed.status_code == 400 and "otp_code" in replayed.json()


def test_a_declarant_without_a_second_factor_needs_no_code(api_client, declarant_a, password):
    assert _token(api_client, declarant_a, password).status_code == 200


# --- one code, two requests at once -------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
def test_one_code_sent_twice_at_once_passes_once(doc_checker, monkeypatch):
    require_postgresql()
    from django_otp.models import ThrottlingMixin

    allowed = ThrottlingMixin.verify_is_allowed

    def slowly(self):  # both requests have read the device before either has used the code
        time.sleep(0.3)
        return allowed(self)

    monkeypatch.setattr(ThrottlingMixin, "verify_is_allowed", slowly)
    device = authenticator_of(doc_checker)
    code = fresh_code(device)
    codes = second_factor.recovery_codes_new(doc_checker)
    for attempt in (code, codes[0]):
        barrier = threading.Barrier(2)
        results = []

        def check(attempt=attempt, barrier=barrier, results=results):
            try:
                barrier.wait()
                results.append(second_factor.check(doc_checker, attempt).ok)
            finally:
                connection.close()

        threads = [threading.Thread(target=check) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(results) == [False, True], attempt
