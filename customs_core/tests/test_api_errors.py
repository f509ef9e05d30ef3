"""Every error the API gives is JSON with a clear message: malformed bodies, server errors."""

import logging

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/v1/declarations/", "/api/v1/declarations/duty-preview/",
                                 "/api/v1/auth/token/"])
def test_a_body_nested_5000_levels_deep_is_400(api_as, declarant_a, url):
    body = "[" * 5000 + "]" * 5000
    response = api_as(declarant_a).post(url, body, content_type="application/json")
    assert response.status_code == 400
    assert "detail" in response.json()


def test_a_server_error_is_json_with_an_id_the_log_also_shows(api_as, declarant_a, monkeypatch,
                                                              caplog):
    from declarations import services

    def broken(**kwargs):
        raise RuntimeError("a bug nobody foresaw")

    monkeypatch.setattr(services, "duties_preview", broken)
    client = api_as(declarant_a)
    client.raise_request_exception = False
    from declarations.testing import declaration_payload

    with caplog.at_level(logging.ERROR, logger="customs_core.api"):
        response = client.post("/api/v1/declarations/duty-preview/", declaration_payload(),
                               format="json")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    error_id = response.json()["error_id"]
    assert error_id == response["X-Request-ID"]  # the request id: on every log line too
    assert any(error_id in record.getMessage() and record.exc_info for record in caplog.records)


def test_an_unknown_api_path_is_json_404(api_as, declarant_a):
    response = api_as(declarant_a).get("/api/v1/no-such-thing/")
    assert response.status_code == 404 and set(response.json()) == {"detail"}


def test_an_unknown_api_path_is_json_even_under_debug(api_as, declarant_a, settings):
    settings.DEBUG = True
    response = api_as(declarant_a).get("/api/v2/declarations/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


def test_a_body_above_the_upload_limit_is_json_400(api_as, declarant_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api_as(declarant_a).post("/api/v1/declarations/duty-preview/",
                                        '{"x": "' + "a" * 5000 + '"}',
                                        content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
