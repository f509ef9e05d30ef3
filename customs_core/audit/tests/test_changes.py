"""Changes of the risk criteria and of accounts write a row with their actor, whether they come
from a page, the API or the admin."""

import pytest
from django.urls import reverse

from customs_core.audit.choices import AuditAction
from customs_core.audit.models import AuditEvent
from customs_core.testing.factories import UserFactory
from declarations.risk import services
from declarations.risk.defaults import ruleset_install_defaults
from declarations.risk.models import RiskRule

pytestmark = pytest.mark.django_db

RULE = {"code": "hs-noodles", "name": "Instant noodles", "rule_type": "hs_watch",
        "effect": "points", "params": '{"prefixes": ["1902"]}', "points": "40",
        "valid_from": "", "valid_to": "", "is_active": "on", "max_hits_without_selection": ""}


def _last(action):
    return AuditEvent.objects.filter(action=action).latest("id")


@pytest.fixture
def draft(risk_officer):
    ruleset_install_defaults()
    return services.ruleset_clone(ruleset=services.ruleset_active(), by=risk_officer)


def test_cloning_a_ruleset_is_recorded(draft, risk_officer):
    event = _last(AuditAction.RULESET_CREATED)
    assert (event.actor, event.object_type, event.object_id) == (
        risk_officer, "risk.riskruleset", str(draft.pk))
    assert event.details["version"] == draft.version


def test_creating_changing_toggling_and_deleting_a_rule_on_the_pages(client, risk_officer,
                                                                     draft):
    client.force_login(risk_officer)
    client.post(reverse("risk:rule-new", args=[draft.pk]), RULE, REMOTE_ADDR="10.9.8.7")
    rule = RiskRule.objects.get(ruleset=draft, code="hs-noodles")
    created = _last(AuditAction.RISK_RULE_CREATED)
    assert (created.actor, created.object_id, created.object_label, created.ip_address) == (
        risk_officer, str(rule.pk), f"hs-noodles (v{draft.version})", "10.9.8.7")
    assert created.details["rule"]["points"] == 40

    client.post(reverse("risk:rule-edit", args=[rule.pk]), {**RULE, "points": "55"})
    changed = _last(AuditAction.RISK_RULE_CHANGED)
    assert changed.details == {"ruleset": draft.version, "points": {"old": 40, "new": 55}}

    toggle = {key: value for key, value in RULE.items() if key != "is_active"}
    client.post(reverse("risk:rule-edit", args=[rule.pk]), {**toggle, "points": "55"})
    toggled = _last(AuditAction.RISK_RULE_CHANGED)
    assert toggled.details == {"ruleset": draft.version,
                               "is_active": {"old": True, "new": False}}

    count = AuditEvent.objects.count()
    client.post(reverse("risk:rule-edit", args=[rule.pk]), {**toggle, "points": "55"})
    assert AuditEvent.objects.count() == count  # saved as it was: nothing changed

    client.post(reverse("risk:rule-delete", args=[rule.pk]))
    deleted = _last(AuditAction.RISK_RULE_DELETED)
    assert (deleted.actor, deleted.object_id) == (risk_officer, str(rule.pk))
    assert not RiskRule.objects.filter(pk=rule.pk).exists()


def test_a_refused_change_writes_nothing(client, leader, draft):
    """The branch leader reads the rules but does not change them: 403, no row."""
    before = AuditEvent.objects.count()
    client.force_login(leader)
    response = client.post(reverse("risk:rule-new", args=[draft.pk]), RULE)
    assert response.status_code == 403
    assert AuditEvent.objects.count() == before


def test_activating_a_ruleset_is_recorded_with_the_version_it_replaced(client, risk_officer,
                                                                       draft):
    previous = services.ruleset_active().version
    client.force_login(risk_officer)
    client.post(reverse("risk:ruleset-activate", args=[draft.pk]))
    event = _last(AuditAction.RULESET_ACTIVATED)
    assert (event.actor, event.object_id) == (risk_officer, str(draft.pk))
    assert event.details == {"version": draft.version, "previous": previous}


def test_setting_and_clearing_a_reference_price_is_recorded(client, risk_officer):
    client.force_login(risk_officer)
    url = reverse("risk:reference-price-edit", args=["19023040"])
    client.post(url, {"price_usd": "1.25", "note": "market survey"})
    event = _last(AuditAction.REFERENCE_PRICE_CHANGED)
    assert (event.actor, event.object_type, event.object_label) == (
        risk_officer, "customs_core.tariffline", "19023040")
    assert event.details == {"price_usd": {"old": None, "new": "1.25"}, "note": "market survey"}
    client.post(url, {"clear": "1"})
    assert _last(AuditAction.REFERENCE_PRICE_CHANGED).details == {
        "price_usd": {"old": "1.2500", "new": None}}


# --- accounts ----------------------------------------------------------------------------------
def _admin_change(client, admin_user, user, **changes):
    """Post the admin's change form of `user` as it stands, with `changes`."""
    client.force_login(admin_user)
    url = reverse("admin:customs_core_user_change", args=[user.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items()
            if value is not None and not isinstance(value, list | tuple)}
    data.update({"groups": [], "user_permissions": [], **changes})
    for name in ("last_login", "date_joined"):
        value = form.initial.get(name)
        data.pop(name, None)
        if value:
            local = value.astimezone()
            data[f"{name}_0"], data[f"{name}_1"] = (local.strftime("%d/%m/%Y"),
                                                    local.strftime("%H:%M:%S"))
    for name in ("is_active", "is_staff", "is_superuser", "is_enterprise_admin"):
        if not data.get(name):
            data.pop(name, None)
    return client.post(url, data, REMOTE_ADDR="10.0.0.5")


def test_a_role_change_in_the_admin_is_recorded_with_old_and_new_role(client, admin_user):
    officer = UserFactory(username="huy", role="inspection")
    response = _admin_change(client, admin_user, officer, role="risk")
    assert response.status_code == 302, response.content[:2000]
    officer.refresh_from_db()
    assert officer.role == "risk"
    event = _last(AuditAction.ROLE_CHANGED)
    assert (event.actor, event.object_type, event.object_id, event.object_label,
            event.ip_address) == (admin_user, "customs_core.user", str(officer.pk), "huy",
                                  "10.0.0.5")
    assert event.details == {"role": {"old": "inspection", "new": "risk"}}


def test_deactivating_an_account_is_an_account_change(client, admin_user):
    officer = UserFactory(username="tuan", role="doc_check")
    _admin_change(client, admin_user, officer, is_active="")
    event = _last(AuditAction.ACCOUNT_CHANGED)
    assert event.details == {"is_active": {"old": True, "new": False}}
    assert event.actor == admin_user


def test_a_role_change_in_code_is_recorded_as_the_system(reference_data):
    officer = UserFactory(username="lan", role="doc_check")
    officer.role, officer.is_superuser = "auditor", True
    officer.set_password("another-pass-2026")
    officer.save()
    event = _last(AuditAction.ROLE_CHANGED)
    assert event.actor is None
    assert event.details == {"role": {"old": "doc_check", "new": "auditor"},
                             "is_superuser": {"old": False, "new": True},
                             "password": {"changed": True}}


def test_saving_other_fields_records_nothing_and_reads_nothing(django_assert_num_queries,
                                                               reference_data):
    officer = UserFactory(username="nam", role="doc_check")
    before = AuditEvent.objects.count()
    with django_assert_num_queries(1):  # the UPDATE of the last login, no SELECT before it
        officer.save(update_fields=["last_login"])
    officer.first_name = "Nam"
    officer.save()
    assert AuditEvent.objects.count() == before


def test_a_new_account_is_recorded(reference_data):
    officer = UserFactory(username="mai", role="auditor")
    event = _last(AuditAction.ACCOUNT_CREATED)
    assert (event.object_id, event.details["role"]) == (str(officer.pk), "auditor")
