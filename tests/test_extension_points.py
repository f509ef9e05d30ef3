"""The extension points of declarations, used the way the apps above use them: a subscriber
and a panel registered from a test app's ready(), called and rendered; a subscriber that
raises undoes the transition."""

import pytest
from django.apps import apps
from django.test import override_settings
from django.urls import reverse

from declarations import events, panels
from declarations.choices import DeclarationState as S
from declarations.models import Declaration, DeclarationEvent
from declarations.testing import declaration_make
from declarations.workflow import transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def extension_app(settings):
    from tests.extension_app import apps as extension

    extension.SEEN.clear()
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "tests.extension_app"]):
        assert apps.is_installed("tests.extension_app")
        yield extension
    events.unsubscribe("extension_app.remember")
    panels.unregister("extension")


def test_a_subscriber_registered_in_ready_sees_each_state_it_asked_for(extension_app,
                                                                       declarant_a):
    declaration = declaration_make(state="submitted", user=declarant_a)
    transition(declaration, to=[S.SCORED, S.YELLOW], by=None, channel="yellow")
    assert extension_app.SEEN == [
        (declaration.pk, S.DRAFT, S.SUBMITTED, "declarant_a", S.SUBMITTED),
        (declaration.pk, S.SCORED, S.YELLOW, None, S.YELLOW),  # not "scored": not asked for
    ]


def test_a_panel_registered_in_ready_is_rendered_for_whom_it_says(extension_app, client,
                                                                 declarant_a, doc_checker):
    declaration = declaration_make(state="submitted", user=declarant_a)
    url = reverse("declarations:detail", args=[declaration.pk])
    client.force_login(doc_checker)
    page = client.get(url).content.decode()
    assert f"Extension panel for {declaration.pk}" in page and declaration.number in page
    assert page.index('data-testid="risk-panel"') < page.index('data-testid="extension-panel"')
    client.force_login(declarant_a)
    assert "Extension panel" not in client.get(url).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_subscriber_that_raises_rolls_the_transition_back(reference_data, declarant_a):
    """No transaction around the call: transition()'s own is the only one, so the subscriber
    must run inside it for its exception to undo the UPDATE and the event."""
    declaration = declaration_make(state="draft", user=declarant_a)

    def refuse(change):
        raise RuntimeError("the assignment service is down")

    events.subscribe(refuse, to=S.CANCELLED, name="test.refuse")
    try:
        with pytest.raises(RuntimeError):
            transition(declaration, to=S.CANCELLED, by=declarant_a)
    finally:
        events.unsubscribe("test.refuse")
    assert Declaration.objects.get(pk=declaration.pk).state == S.DRAFT
    assert not DeclarationEvent.objects.filter(declaration=declaration).exists()


def test_the_risk_engine_is_the_first_panel_and_routes_through_a_subscriber():
    assert "risk.route-when-submitted" in {s.name for s in events.subscribers()}
    assert "declarations.auto-clear" in {s.name for s in events.subscribers()}
    assert min(panels._PANELS.values(), key=lambda p: p.order).key == "risk"


def test_a_batch_subscriber_is_called_once_per_transition_with_all_its_changes(declarant_a):
    """many=True: the router's transition_batch() of many declarations is one call, so a
    subscriber doing database work per batch keeps routing's pace (inspection's does)."""
    from declarations.workflow import transition_batch

    calls = []
    events.subscribe(calls.append, to={S.YELLOW}, name="test.batch", many=True)
    try:
        batch = [declaration_make(state="scored", user=declarant_a) for _ in range(3)]
        transition_batch(batch, to=S.YELLOW, by=None, channel="yellow")
    finally:
        events.unsubscribe("test.batch")
    assert len(calls) == 1
    assert [(c.declaration.pk, c.from_state, c.to_state) for c in calls[0]] == [
        (d.pk, S.SCORED, S.YELLOW) for d in batch]
