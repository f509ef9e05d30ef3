"""The risk pages: rules and rulesets, simulation, reference prices, channel requests and the
officers' panel on a declaration, through Django's test client."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from declarations.models import DeclarationEvent
from declarations.risk import services, urls
from declarations.risk.models import (
    ChannelChangeRequest,
    ReferencePrice,
    RiskAssessment,
    RiskRule,
    RiskRuleset,
)
from declarations.risk.models_learning import Backtest, RiskModel

pytestmark = pytest.mark.django_db

HS_CODE = "19023040"


def rule_data(**overrides) -> dict:
    data = {"code": "hs-noodles", "name": "Instant noodles", "rule_type": "hs_watch",
            "effect": "points", "params": '{"prefixes": ["1902"]}', "points": "40",
            "valid_from": "", "valid_to": "", "is_active": "on",
            "max_hits_without_selection": ""}
    data.update(overrides)
    return data


def fire_secret_criterion(declaration) -> None:
    assessment = RiskAssessment.objects.get(declaration=declaration)
    assessment.fired = [{"code": "secret-criterion-42", "name": "Watch", "type": "hs_watch",
                         "effect": "points", "points": 30, "detail": "1902"}]
    assessment.save(update_fields=["fired"])


@pytest.fixture(autouse=True)
def _english(client, settings):
    """Message texts below are asserted in English; the interface defaults to Vietnamese."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def routed(make_declaration):
    """A declaration of declarant_a, submitted and routed by the risk engine."""

    def make():
        declaration = make_declaration(state="submitted")
        services.declaration_route(declaration_id=declaration.pk)
        declaration.refresh_from_db()
        return declaration

    return make


@pytest.fixture
def world(routed, risk_officer):
    """One object of every kind a risk URL names, the declaration owned by declarant_a."""
    active = services.ruleset_active()
    draft = services.ruleset_clone(ruleset=active, by=risk_officer)
    rule = services.rule_save(ruleset=draft, data={
        "code": "hs-noodles", "name": "Noodles", "rule_type": "hs_watch", "effect": "points",
        "params": {"prefixes": ["1902"]}, "points": 40}, by=risk_officer)
    declaration = routed()
    if declaration.state != "red":
        declaration = services.declaration_raise_channel(
            declaration=declaration, by=risk_officer, channel="red", reason="Tip-off")
    request = services.channel_lowering_request(declaration=declaration, by=risk_officer,
                                                channel="yellow", reason="Known importer")
    model = RiskModel.objects.create(version=1, window_to=date(2026, 1, 1), outcomes=0,
                                     violations=0, booster="", featurizer={})
    backtest = Backtest.objects.create(ruleset=active, date_from=date(2026, 1, 1),
                                       date_to=date(2026, 1, 31), requested_by=risk_officer)
    return {"active": active, "draft": draft, "rule": rule, "declaration": declaration,
            "request": request, "model": model, "backtest": backtest}


# Every route of declarations/risk/urls.py: name -> the URL kwargs, from the `world` fixture.
ROUTES = {
    "rules": lambda w: {},
    "ruleset": lambda w: {"pk": w["draft"].pk},
    "ruleset-clone": lambda w: {"pk": w["active"].pk},
    "rule-new": lambda w: {"pk": w["draft"].pk},
    "simulate": lambda w: {"pk": w["draft"].pk},
    "ruleset-activate": lambda w: {"pk": w["draft"].pk},
    "rule-edit": lambda w: {"pk": w["rule"].pk},
    "rule-delete": lambda w: {"pk": w["rule"].pk},
    "reference-prices": lambda w: {},
    "reference-price-edit": lambda w: {"hs_code": HS_CODE},
    "requests": lambda w: {},
    "request-decide": lambda w: {"pk": w["request"].pk},
    "raise-channel": lambda w: {"pk": w["declaration"].pk},
    "request-lowering": lambda w: {"pk": w["declaration"].pk},
    # learned selection (views_learning.py; tested in test_learning_pages.py)
    "learning": lambda w: {},
    "learning-rebuild": lambda w: {},
    "learning-train": lambda w: {},
    "learning-model": lambda w: {"version": w["model"].version},
    "learning-model-activate": lambda w: {"version": w["model"].version},
    "learning-model-retire": lambda w: {"version": w["model"].version},
    "backtest-new": lambda w: {"pk": w["draft"].pk},
    "backtests": lambda w: {},
    "backtest": lambda w: {"pk": w["backtest"].pk},
}
PAGES = ["rules", "ruleset", "rule-new", "simulate", "rule-edit", "reference-prices",
         "reference-price-edit", "requests", "learning", "learning-model", "backtests",
         "backtest"]


def url(name: str, world) -> str:
    return reverse(f"risk:{name}", kwargs=ROUTES[name](world))


def test_the_route_matrix_covers_every_risk_url():
    assert set(ROUTES) == {pattern.name for pattern in urls.urlpatterns}
    assert set(PAGES) <= set(ROUTES)


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_an_enterprise_gets_404_on_every_risk_url(client, declarant_a, world, name):
    client.force_login(declarant_a)  # the declaration in `world` is declarant_a's own
    assert client.get(url(name, world)).status_code == 404
    assert client.post(url(name, world), {"channel": "green", "reason": "x",
                                          "approve": "1"}).status_code == 404
    assert ChannelChangeRequest.objects.get().status == "pending"


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_users_are_sent_to_the_login_page(client, world, name):
    response = client.get(url(name, world))
    assert response.status_code == 302 and "/accounts/login/" in response.url


@pytest.mark.parametrize("name", PAGES)
def test_each_page_renders_for_a_risk_officer(client, risk_officer, world, name):
    client.force_login(risk_officer)
    response = client.get(url(name, world))
    assert response.status_code == 200


def test_the_rules_page_shows_the_active_ruleset_and_links_drafts(client, risk_officer, world):
    client.force_login(risk_officer)
    page = client.get(reverse("risk:rules")).content.decode()
    assert f"v{world['active'].version}" in page
    assert reverse("risk:ruleset", args=[world["draft"].pk]) in page
    assert 'data-testid="clone-ruleset"' in page


def test_a_branch_leader_reads_the_rules_but_may_not_change_them(client, leader, world):
    client.force_login(leader)
    page = client.get(reverse("risk:ruleset", args=[world["draft"].pk])).content.decode()
    assert "hs-noodles" in page and 'data-testid="add-rule"' not in page
    assert client.post(url("ruleset-clone", world)).status_code == 403
    assert client.post(url("rule-new", world), rule_data(code="x")).status_code == 403


@pytest.mark.parametrize("name", ["rules", "rule-new", "rule-edit", "rule-delete",
                                  "ruleset-clone", "ruleset-activate", "simulate"])
def test_a_document_checker_gets_403_on_the_rules(client, doc_checker, world, name):
    client.force_login(doc_checker)
    assert client.get(url(name, world)).status_code == 403
    assert client.post(url(name, world), rule_data(code="other")).status_code == 403
    assert RiskRule.objects.filter(ruleset=world["draft"]).count() == 1
    assert RiskRuleset.objects.count() == 2


def test_a_rule_with_invalid_json_shows_the_error_and_writes_nothing(client, risk_officer,
                                                                     world):
    client.force_login(risk_officer)
    response = client.post(url("rule-new", world), rule_data(code="bad", params="{prefixes"))
    assert response.status_code == 200
    assert 'data-testid="error-params"' in response.content.decode()
    assert not RiskRule.objects.filter(code="bad").exists()


def test_a_rule_with_invalid_params_shows_the_services_error_on_params(client, risk_officer,
                                                                       world):
    client.force_login(risk_officer)
    response = client.post(url("rule-new", world),
                           rule_data(code="bad", rule_type="compliance_history",
                                     params='{"months": 0}'))
    errors = response.context["form"].errors
    assert response.status_code == 200
    assert "params" in errors and errors["params"][0].startswith("months: ")
    assert not RiskRule.objects.filter(code="bad").exists()


def test_a_duplicate_code_lands_on_the_code_field(client, risk_officer, world):
    client.force_login(risk_officer)
    response = client.post(url("rule-new", world), rule_data(code="hs-noodles"))
    assert response.status_code == 200 and "code" in response.context["form"].errors
    assert RiskRule.objects.filter(ruleset=world["draft"]).count() == 1


def test_editing_a_rule_of_the_active_ruleset_is_refused_with_a_message(client, risk_officer,
                                                                        world):
    client.force_login(risk_officer)
    response = client.post(reverse("risk:rule-new", args=[world["active"].pk]),
                           rule_data(), follow=True)
    assert response.redirect_chain[-1][0] == reverse("risk:ruleset",
                                                     args=[world["active"].pk])
    assert any("read-only" in m for m in messages_of(response))
    assert not world["active"].rules.exists()


def test_a_rule_of_a_draft_is_edited_and_deleted(client, risk_officer, world):
    client.force_login(risk_officer)
    rule = world["rule"]
    response = client.post(url("rule-edit", world),
                           rule_data(points="55", valid_from="2026-01-01",
                                     valid_to="2026-12-31"))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.points == 55 and rule.valid_to.isoformat() == "2026-12-31"
    assert client.post(url("rule-delete", world)).status_code == 302
    assert not RiskRule.objects.filter(pk=rule.pk).exists()


def test_clone_add_rule_simulate_and_activate(client, risk_officer, routed):
    active = services.ruleset_active()
    routed()  # one registered declaration to replay
    client.force_login(risk_officer)

    response = client.post(reverse("risk:ruleset-clone", args=[active.pk]), {"name": "Noodles"})
    draft = RiskRuleset.objects.get(name="Noodles")
    assert response.url == reverse("risk:ruleset", args=[draft.pk]) and not draft.is_active

    response = client.post(reverse("risk:rule-new", args=[draft.pk]), rule_data(points="80"))
    assert response.status_code == 302 and draft.rules.get().params == {"prefixes": ["1902"]}

    page = client.get(reverse("risk:simulate", args=[draft.pk])).content.decode()
    chart = re.search(r'<canvas data-chart="([^"]+)"', page)
    assert chart is not None and 'data-testid="simulation-table"' in page
    config = json.loads(chart.group(1).replace("&quot;", '"'))
    assert config["type"] == "bar" and len(config["data"]["datasets"]) == 3
    assert 'data-testid="moved-' in page  # 80 points on a noodles line: the declaration moves
    assert 'data-testid="activate-ruleset"' in page

    response = client.post(reverse("risk:ruleset-activate", args=[draft.pk]))
    assert response.url == reverse("risk:rules")
    draft.refresh_from_db()
    active.refresh_from_db()
    assert draft.is_active and draft.activated_at is not None and not active.is_active


def test_activating_the_active_ruleset_is_refused_with_a_message(client, risk_officer, world):
    client.force_login(risk_officer)
    response = client.post(reverse("risk:ruleset-activate", args=[world["active"].pk]),
                           follow=True)
    assert any("read-only" in m for m in messages_of(response))


def test_a_reference_price_is_set_then_cleared(client, risk_officer, reference_data):
    client.force_login(risk_officer)
    edit = reverse("risk:reference-price-edit", args=[HS_CODE])
    response = client.post(edit, {"price_usd": "1.8500", "note": "Market survey 2026"})
    assert response.status_code == 302
    price = ReferencePrice.objects.get(tariff_line__hs_code=HS_CODE)
    assert price.price_usd == Decimal("1.85") and price.updated_by == risk_officer

    page = client.get(reverse("risk:reference-prices"), {"q": "1902"}).content.decode()
    assert HS_CODE in page and "Market survey 2026" in page

    assert client.post(edit, {"clear": "1"}).status_code == 302
    assert not ReferencePrice.objects.exists()


def test_a_non_positive_reference_price_is_refused(client, risk_officer, reference_data):
    client.force_login(risk_officer)
    response = client.post(reverse("risk:reference-price-edit", args=[HS_CODE]),
                           {"price_usd": "0", "note": ""})
    assert response.status_code == 200 and "price_usd" in response.context["form"].errors
    assert not ReferencePrice.objects.exists()


def test_a_branch_leader_may_not_set_reference_prices(client, leader, reference_data):
    client.force_login(leader)
    response = client.post(reverse("risk:reference-price-edit", args=[HS_CODE]),
                           {"price_usd": "2"})
    assert response.status_code == 403 and not ReferencePrice.objects.exists()


def test_an_unknown_hs_code_is_404(client, risk_officer, reference_data):
    client.force_login(risk_officer)
    response = client.get(reverse("risk:reference-price-edit", args=["99999999"]))
    assert response.status_code == 404


def test_an_officer_raises_the_channel_from_the_declaration_page(client, inspector, routed):
    declaration = routed()
    assert declaration.state in {"green", "yellow"}
    client.force_login(inspector)
    detail = reverse("declarations:detail", args=[declaration.pk])
    assert 'data-testid="raise-channel-form"' in client.get(detail).content.decode()

    response = client.post(reverse("risk:raise-channel", args=[declaration.pk]),
                           {"channel": "red", "reason": "Scanner image anomaly"})
    assert response.status_code == 302 and response.url == detail
    declaration.refresh_from_db()
    assert declaration.state == "red" and declaration.channel == "red"
    event = DeclarationEvent.objects.filter(declaration=declaration).latest("at", "id")
    assert (event.to_state, event.actor, event.reason) == ("red", inspector,
                                                           "Scanner image anomaly")


def test_raising_to_a_lower_channel_shows_an_error_and_changes_nothing(client, inspector,
                                                                       world):
    client.force_login(inspector)
    declaration = world["declaration"]
    response = client.post(reverse("risk:raise-channel", args=[declaration.pk]),
                           {"channel": "green", "reason": "x"}, follow=True)
    assert any("higher channel" in m for m in messages_of(response))
    declaration.refresh_from_db()
    assert declaration.state == "red"


def test_an_administrator_may_not_change_channels(client, admin_user, world):
    client.force_login(admin_user)
    response = client.post(url("raise-channel", world), {"channel": "red", "reason": "x"})
    assert response.status_code == 403


def test_lowering_is_requested_then_approved_by_the_branch_leader(client, risk_officer, leader,
                                                                  routed):
    declaration = routed()
    if declaration.state != "red":
        declaration = services.declaration_raise_channel(
            declaration=declaration, by=risk_officer, channel="red", reason="Tip-off")
    client.force_login(risk_officer)
    response = client.post(reverse("risk:request-lowering", args=[declaration.pk]),
                           {"channel": "yellow", "reason": "Known importer, clean record"})
    assert response.status_code == 302
    change = ChannelChangeRequest.objects.get(declaration=declaration)
    assert (change.status, change.from_channel, change.to_channel) == ("pending", "red",
                                                                       "yellow")
    detail = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert 'data-testid="pending-request"' in detail

    page = client.get(reverse("risk:requests")).content.decode()
    assert declaration.number in page and f'data-testid="decide-{change.pk}"' not in page
    assert client.post(reverse("risk:request-decide", args=[change.pk]),
                       {"approve": "1"}).status_code == 403

    client.force_login(leader)
    page = client.get(reverse("risk:requests")).content.decode()
    assert f'data-testid="decide-{change.pk}"' in page
    response = client.post(reverse("risk:request-decide", args=[change.pk]),
                           {"approve": "1", "note": "Agreed"})
    assert response.status_code == 302
    change.refresh_from_db()
    declaration.refresh_from_db()
    assert change.status == "approved" and change.decided_by == leader
    assert declaration.state == "yellow"
    event = DeclarationEvent.objects.filter(declaration=declaration).latest("at", "id")
    assert (event.from_state, event.to_state, event.actor) == ("red", "yellow", leader)


def test_a_rejected_request_leaves_the_channel(client, leader, world):
    client.force_login(leader)
    response = client.post(url("request-decide", world), {"approve": "0", "note": "No"},
                           follow=True)
    assert "Request rejected." in messages_of(response)
    world["request"].refresh_from_db()
    world["declaration"].refresh_from_db()
    assert world["request"].status == "rejected" and world["declaration"].state == "red"
    assert client.post(url("request-decide", world), {"approve": "1"}).status_code == 302
    world["request"].refresh_from_db()
    assert world["request"].status == "rejected"


def test_the_officer_panel_shows_the_assessment(client, doc_checker, world):
    fire_secret_criterion(world["declaration"])
    client.force_login(doc_checker)
    page = client.get(reverse("declarations:detail",
                              args=[world["declaration"].pk])).content.decode()
    assert 'data-testid="risk-panel"' in page and "secret-criterion-42" in page


def test_an_enterprise_never_sees_the_assessment_on_its_declaration(client, declarant_a,
                                                                    world):
    fire_secret_criterion(world["declaration"])
    client.force_login(declarant_a)
    response = client.get(reverse("declarations:detail", args=[world["declaration"].pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "secret-criterion-42" not in page and 'data-testid="risk-panel"' not in page
    assert "Known importer" not in page  # nor the officers' lowering request


def test_the_lists_read_a_constant_number_of_queries(client, leader, world, routed,
                                                     risk_officer, django_assert_max_num_queries):
    for _ in range(3):
        declaration = services.declaration_raise_channel(
            declaration=routed(), by=risk_officer, channel="red", reason="Tip-off")
        services.channel_lowering_request(declaration=declaration, by=risk_officer,
                                          channel="green", reason="Known importer")
    client.force_login(leader)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("risk:requests")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("risk:reference-prices")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("risk:rules")).status_code == 200
