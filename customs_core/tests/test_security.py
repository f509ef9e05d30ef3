import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_five_failed_logins_lock_the_account_from_that_address(client, declarant_a, password,
                                                                settings):
    settings.AXES_ENABLED = True
    for _ in range(5):
        client.post(reverse("login"), {"username": "declarant_a", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "declarant_a", "password": password})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_weak_passwords_are_refused():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["12345678", "password1", "short"]:
        with pytest.raises(ValidationError):
            validate_password(weak)


def _manage(*args, env_extra=None):
    # The test run sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a deployment never does.
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**env, "DJANGO_SETTINGS_MODULE": "customs_core.settings_production",
           "SECRET_KEY": "x" * 30 + "-production-like-secret-key-for-the-deploy-check",
           "ALLOWED_HOSTS": "customs.example.vn", **(env_extra or {})}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=django_settings.BASE_DIR,
                          env=env, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_the_deploy_check():
    result = _manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(DJANGO_SETTINGS_MODULE="customs_core.settings_production", ALLOWED_HOSTS="x")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=django_settings.BASE_DIR,
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_openapi_schema_validates_without_warnings():
    result = _manage("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)
    assert result.returncode == 0, result.stdout + result.stderr


TOKEN_URL = "/api/v1/auth/token/"


def test_token_endpoint_locks_out_with_429_and_retry_after(api_client, declarant_a, password,
                                                           settings):
    settings.AXES_ENABLED = True
    for _ in range(4):
        wrong = api_client.post(TOKEN_URL, {"username": "declarant_a", "password": "wrong"},
                                format="json")
        assert wrong.status_code == 400
    fifth = api_client.post(TOKEN_URL, {"username": "declarant_a", "password": "wrong"},
                            format="json")
    assert fifth.status_code == 429  # this failure locked the account
    response = api_client.post(TOKEN_URL, {"username": "declarant_a", "password": password},
                               format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert 1700 <= int(response["Retry-After"]) <= 1800
    assert "token" not in response.json()


def test_token_endpoint_gives_a_token_for_the_right_password(api_client, declarant_a, password,
                                                             settings):
    settings.AXES_ENABLED = True
    response = api_client.post(TOKEN_URL, {"username": "declarant_a", "password": password},
                               format="json")
    assert response.status_code == 200 and len(response.json()["token"]) == 40


def test_token_endpoint_is_throttled(api_client, declarant_a, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "token": "3/minute"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [api_client.post(TOKEN_URL, {"username": f"nobody{n}", "password": "x"},
                                 format="json").status_code for n in range(4)]
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert codes == [400, 400, 400, 429]
