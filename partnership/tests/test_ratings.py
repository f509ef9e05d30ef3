"""Service ratings: once per cleared declaration of one's own, scores 1-5; a low one opens a
follow-up request for a desk leader; an officer sees their own only in aggregate."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from customs_core.exceptions import FieldErrors, StateConflict
from declarations.testing import DeclarationFactory, publish_rates
from declarations.workflow import transition
from partnership import ratings, selectors, stats
from partnership.models import Notification, Rating, SupportRequest
from partnership.testing import desk_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(reference_data):
    publish_rates()
    return desk_make()


def give(user, declaration, scores=(4, 5, 4), comment=""):
    return ratings.rating_give(user=user, declaration=declaration.pk, timeliness=scores[0],
                               transparency=scores[1], attitude=scores[2], comment=comment)


def test_rating_a_cleared_declaration_once(desk, declarant_a):
    declaration = DeclarationFactory(state="cleared", user=declarant_a)
    rating = give(declarant_a, declaration)
    assert (rating.timeliness, rating.transparency, rating.attitude) == (4, 5, 4)
    assert not rating.is_low and not SupportRequest.objects.exists()
    assert Notification.objects.filter(kind="rating_received", recipient=desk.leader).exists()
    with pytest.raises(StateConflict) as again:
        give(declarant_a, declaration, (1, 1, 1))
    assert again.value.code == "already_rated"
    assert Rating.objects.count() == 1 and not SupportRequest.objects.exists()


@pytest.mark.parametrize("state", ["submitted", "yellow", "draft"])
def test_a_declaration_not_cleared_is_not_rated(desk, declarant_a, state):
    declaration = DeclarationFactory(state=state, user=declarant_a)
    with pytest.raises(StateConflict) as refused:
        give(declarant_a, declaration)
    assert refused.value.code == "not_cleared"
    assert not Rating.objects.exists()


def test_another_enterprises_declaration_is_not_found(desk, declarant_a, declarant_b):
    declaration = DeclarationFactory(state="cleared", user=declarant_b)
    with pytest.raises(Http404):
        give(declarant_a, declaration)
    assert not Rating.objects.exists()


def test_officers_do_not_rate_and_scores_stay_within_1_to_5(desk, declarant_a, inspector):
    declaration = DeclarationFactory(state="cleared", user=declarant_a)
    with pytest.raises(PermissionDenied):
        give(inspector, declaration)
    with pytest.raises(FieldErrors) as refused:
        ratings.rating_give(user=declarant_a, declaration=declaration.pk, timeliness=0,
                            transparency=6, attitude="5")
    assert set(refused.value.fields) == {"timeliness", "transparency", "attitude"}
    assert not Rating.objects.exists()


def test_a_low_rating_opens_a_follow_up_for_a_desk_leader(desk, declarant_a):
    declaration = DeclarationFactory(state="cleared", user=declarant_a)
    rating = give(declarant_a, declaration, (2, 4, 5), comment="Chờ quá lâu ở cửa khẩu")
    follow_up = SupportRequest.objects.get()
    assert (follow_up.rating, follow_up.topic, follow_up.assigned_to, follow_up.declaration) == (
        rating, "complaint", desk.leader, declaration)
    assert "Chờ quá lâu" in follow_up.messages.get().body


def test_an_officer_sees_own_ratings_only_in_aggregate(desk, declarant_a, settings):
    settings.PARTNERSHIP_MIN_RATINGS_SHOWN = 3
    officer = desk.officer1
    declarations = []
    for _n in range(3):
        d = DeclarationFactory(state="yellow", user=declarant_a)
        transition(d, to="doc_check", by=officer)
        declarations.append(d)
    # Cleared by the system (the factory's path) after the officer's step: the officer worked on it.
    for d, scores in zip(declarations[:2], [(5, 5, 5), (3, 3, 3)], strict=True):
        Rating.objects.create(declaration=d, enterprise=d.enterprise, rated_by=declarant_a,
                              timeliness=scores[0], transparency=scores[1], attitude=scores[2],
                              at=d.created_at)
    hidden = stats.officer_ratings(officer)
    assert hidden == {"ratings": 2, "shown": False, "needed": 3}
    d = declarations[2]
    Rating.objects.create(declaration=d, enterprise=d.enterprise, rated_by=declarant_a,
                          timeliness=4, transparency=4, attitude=4, at=d.created_at)
    shown = stats.officer_ratings(officer)
    assert shown["shown"] and shown["ratings"] == 3 and shown["index"] == 75.0
    assert list(selectors.ratings_visible_to(officer)) == []  # never one by one
    assert selectors.ratings_visible_to(desk.leader).count() == 3
