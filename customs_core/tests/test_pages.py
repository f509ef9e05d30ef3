import pytest
from django.urls import reverse

from customs_core.choices import Role
from customs_core.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLE_TITLES = {
    Role.DOC_CHECK: ("Kiểm tra hồ sơ (luồng vàng)", "Document checks (yellow channel)"),
    Role.INSPECTION: ("Kiểm tra thực tế (luồng đỏ)", "Physical inspection (red channel)"),
    Role.RISK: ("Quản lý rủi ro", "Risk management"),
    Role.TEAM_LEADER: ("Đội Giám sát - Kiểm soát", "Supervision and Inspection Team"),
    Role.BRANCH_LEADER: ("Bảng điều hành của Chi cục", "Branch dashboard"),
    Role.ADMIN: ("Quản trị", "Administration"),
}


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_login_page_is_vietnamese_by_default_whatever_the_browser_says(client):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "vi"
    assert "Đăng nhập" in response.content.decode()


@pytest.mark.parametrize("role", list(ROLE_TITLES))
def test_each_officer_role_lands_on_its_own_home_in_both_languages(client, reference_data, role):
    user = UserFactory(username=f"u-{role}", role=role)
    client.force_login(user)
    vi_title, en_title = ROLE_TITLES[role]
    assert vi_title in client.get(reverse("home")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert en_title in client.get(reverse("home")).content.decode()


def test_declarant_home_shows_the_enterprise_and_whether_it_may_register(client, declarant_a):
    client.force_login(declarant_a)
    page = client.get(reverse("home")).content.decode()
    assert declarant_a.enterprise.tax_code in page
    assert "Doanh nghiệp được phép đăng ký tờ khai." in page


def test_declarant_home_warns_of_a_suspension(client, declarant_a):
    declarant_a.enterprise.status = "suspended"
    declarant_a.enterprise.save()
    client.force_login(declarant_a)
    assert 'data-testid="registration-block"' in client.get(reverse("home")).content.decode()


def test_menu_depends_on_the_role(client, declarant_a, admin_user):
    client.force_login(declarant_a)
    assert reverse("admin:index") not in client.get(reverse("home")).content.decode()
    client.force_login(admin_user)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()


def test_tariff_browser_finds_lines_by_words(client, doc_checker):
    client.force_login(doc_checker)
    page = client.get(reverse("tariff-browser"), {"q": "thanh long"}).content.decode()
    assert "Thanh long" in page or "thanh long" in page


def test_tariff_browser_answers_htmx_with_the_results_only(client, doc_checker):
    client.force_login(doc_checker)
    response = client.get(reverse("tariff-browser"), {"q": "08"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert 'data-testid="tariff-table"' in body and "<html" not in body


def test_tariff_browser_shows_bad_input_as_a_message(client, doc_checker):
    client.force_login(doc_checker)
    response = client.get(reverse("tariff-browser"), {"q": "x" * 500})
    assert response.status_code == 200 and 'class="error"' in response.content.decode()


def test_pages_send_a_strict_content_security_policy(client):
    policy = client.get(reverse("login")).headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "http" not in policy


def test_pages_load_no_script_from_elsewhere(client, doc_checker):
    client.force_login(doc_checker)
    body = client.get(reverse("tariff-browser")).content.decode()
    assert "cdn" not in body.lower() and "<script>" not in body


def test_api_docs_are_served_offline(client, doc_checker):
    client.force_login(doc_checker)
    body = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in body and "cdn" not in body.lower()


def test_healthz_reports_database_and_broker(client, settings):
    body = client.get("/healthz").json()
    broker = "eager" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert body == {"status": "ok", "database": "ok", "broker": broker,
                    "routing": {"status": "ok", "waiting": 0, "oldest_seconds": 0}}


def test_healthz_is_degraded_but_200_when_the_broker_is_down(client, monkeypatch):
    from customs_core import health

    monkeypatch.setattr(health, "broker_status", lambda: "down")
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json()["status"] == "degraded"


def test_healthz_broker_check_against_a_closed_port_says_down():
    from customs_core import health

    assert health.broker_status("redis://127.0.0.1:1/0") == "down"
