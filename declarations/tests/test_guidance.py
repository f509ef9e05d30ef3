"""What happens next, per state, for the declarant (declarations/guidance.py) and on the page."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from declarations.choices import DeclarationState as S
from declarations.guidance import next_step, submitted_message
from declarations.testing import declaration_make

NONE = Decimal(0)
DUE = Decimal(12_345_678)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize("state, channel, outstanding, key, pay, documents", [
    (S.DRAFT, "", DUE, "draft", False, True),
    (S.SUBMITTED, "", DUE, "routing", True, True),
    (S.SCORED, "", NONE, "routing", False, True),
    (S.GREEN, "green", DUE, "pay_to_clear", True, False),
    (S.GREEN, "green", NONE, "cleared", False, False),
    (S.CLEARED, "green", NONE, "cleared", False, False),
    (S.CLEARED, "yellow", DUE, "cleared", True, False),
    (S.GATE_OUT, "green", NONE, "gone", False, False),
    (S.YELLOW, "yellow", NONE, "document_check", False, True),
    (S.DOC_CHECK, "yellow", DUE, "document_check", True, True),
    (S.RED, "red", NONE, "inspection", False, False),
    (S.INSPECTION, "red", DUE, "inspection", True, False),
    (S.AMEND_REQUESTED, "yellow", NONE, "amend", False, True),
    (S.VIOLATION, "red", DUE, "violation", True, False),
    (S.CANCELLED, "", NONE, "cancelled", False, False),
])
def test_every_state_says_what_happens_next(state, channel, outstanding, key, pay, documents):
    step = next_step(state=state, channel=channel, outstanding_vnd=outstanding)
    assert (step.key, step.pay, step.documents) == (key, pay, documents)
    assert step.title and step.text


def test_every_state_is_covered():
    for state in S.values:
        assert next_step(state=state, channel="", outstanding_vnd=NONE).title


def test_a_green_declaration_with_duties_says_paying_clears_it():
    step = next_step(state=S.GREEN, channel="green", outstanding_vnd=DUE)
    assert "12,345,678" in step.title
    assert "clears automatically once paid" in step.title


def test_the_submit_message_says_the_channel_comes_shortly_and_what_is_due():
    message = submitted_message(number="100000000120", channel="", outstanding_vnd=DUE)
    assert "100000000120" in message and "usually within a minute" in message
    assert "12,345,678" in message


def test_the_submit_message_names_a_channel_already_decided():
    message = submitted_message(number="100000000120", channel="green", outstanding_vnd=NONE)
    assert "Green" in message and "No duties are due" in message


@pytest.mark.django_db
def test_detail_page_of_a_green_declaration_tells_the_declarant_to_pay(client, settings,
                                                                       declarant_a,
                                                                       make_declaration):
    declaration = declaration_make(state="green", user=declarant_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(declarant_a)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    card = page.split('data-testid="next-step"')[1].split("</section>")[0]
    assert "clears automatically once paid" in card
    assert reverse("declarations:pay", args=[declaration.pk]) in card
    assert page.count(reverse("declarations:pay", args=[declaration.pk])) == 1


@pytest.mark.django_db
def test_officers_do_not_get_the_declarants_card(client, doc_checker, make_declaration):
    declaration = make_declaration(state="submitted")
    client.force_login(doc_checker)
    page = client.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert 'data-testid="next-step"' not in page


@pytest.mark.django_db
def test_submitting_says_the_channel_is_decided_shortly_and_what_is_due(client, settings,
                                                                       declarant_a,
                                                                       make_declaration):
    draft = make_declaration()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(declarant_a)
    response = client.post(reverse("declarations:submit", args=[draft.pk]), follow=True)
    text = " ".join(str(m) for m in response.context["messages"])
    draft.refresh_from_db()
    assert draft.number in text and "usually within a minute" in text
    assert "Duties due" in text
