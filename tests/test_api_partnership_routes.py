"""Partnership desk routes (support requests and their files, ratings, guidance articles,
notifications): built from the URL configuration, so a route added later is covered without
editing this file (the meta-test in test_api_officer_routes.py fails when a route under these
prefixes has no recipe here).

For every route and a valid body: anonymous is 401; another enterprise (B) gets 404 on
everything of A's (a request, its file, a rating, a notification, a draft article), reads
empty lists and learns nothing of what exists; an officer who is not on the desk may not act
on a request; a desk officer who is not a leader may not reassign nor read who rated what;
and nothing is written by any of them. Then the rules of rating a declaration's service."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from declarations.testing import declaration_make, pdf_file
from partnership import notices, ratings, services
from partnership.models import (
    Attachment,
    Message,
    Notification,
    NotificationSetting,
    Rating,
    SupportRequest,
)
from partnership.testing import article_make, desk_make
from tests.routes import api_routes

pytestmark = pytest.mark.django_db

PARTNERSHIP_PREFIXES = ("api/v1/^support-requests/", "api/v1/^support-attachments/",
                        "api/v1/^ratings/", "api/v1/^guidance-articles/",
                        "api/v1/^notifications/")


def _soon() -> str:
    return (timezone.now() + timedelta(hours=2)).isoformat()


def _asking(w) -> tuple:
    return ("multipart", {"topic": "procedure", "subject": "Hỏi về C/O mẫu E",
                          "message": "Xin hướng dẫn nộp C/O bản giấy.",
                          "declaration": w.cleared.pk, "files": pdf_file("co.pdf")})


# A valid body per (url name, http method) -- the same action name (list, create, settings)
# means different things on different prefixes -- so that a refusal is about who asks, never
# about the input.
PARTNERSHIP_BODIES = {
    ("support-request-list", "get"): lambda w: None,
    ("support-request-list", "post"): _asking,
    ("support-request-detail", "get"): lambda w: None,
    ("support-request-messages", "post"): lambda w: ("json", {"body": "Xin bổ sung hóa đơn."}),
    ("support-request-close", "post"): lambda w: ("json", {}),
    ("support-request-reopen", "post"): lambda w: ("json", {"body": "Chưa rõ, xin hỏi lại."}),
    ("support-request-assign", "post"): lambda w: ("json", {"officer":
                                                            w.desk.officer2.username}),
    ("support-request-schedule", "post"): lambda w: ("json", {"mode": "on_site",
                                                              "scheduled_at": _soon(),
                                                              "place": "Phòng 2, Chi cục"}),
    ("support-attachment-detail", "get"): lambda w: None,
    ("rating-list", "get"): lambda w: None,
    ("rating-list", "post"): lambda w: ("json", {"declaration": w.unrated.pk, "timeliness": 4,
                                                 "transparency": 4, "attitude": 5}),
    ("rating-detail", "get"): lambda w: None,
    ("rating-summary", "get"): lambda w: None,
    ("guidance-article-list", "get"): lambda w: None,
    ("guidance-article-detail", "get"): lambda w: None,
    ("notification-list", "get"): lambda w: None,
    ("notification-detail", "get"): lambda w: None,
    ("notification-read", "post"): lambda w: None,
    ("notification-read-all", "post"): lambda w: ("json", {"ids": [w.notification.pk]}),
    ("notification-settings", "get"): lambda w: None,
    ("notification-settings", "put"): lambda w: ("json", {"email": [services.REQUEST_NEW]}),
}
# What another enterprise gets where it is not a 404 (a route on one of A's rows) nor an
# empty list: asking about A's declaration is refused as for a declaration that does not
# exist; rating A's declaration is a 404; the aggregate of ratings is officers'; what is about
# B itself (its notifications' settings, marking its own notifications read) works.
STRANGER_STATUS = {
    ("support-request-list", "post"): 400,
    ("rating-list", "post"): 404,
    ("rating-summary", "get"): 403,
    ("notification-read-all", "post"): 200,
    ("notification-settings", "get"): 200,
    ("notification-settings", "put"): 200,
}


def partnership_routes():
    """(url name, http method, action, takes a pk) of every route under the prefixes (not
    HEAD, which DRF adds to a route's actions once it served a GET: it is that GET)."""
    return [(name, method, action, "(?P<pk>" in path)
            for path, name, method, action in api_routes()
            if path.startswith(PARTNERSHIP_PREFIXES) and method != "head"]


@pytest.fixture
def world(reference_data, declarant_a):
    """A's request (answered by the desk, with a file), A's rating of a cleared declaration
    and another cleared declaration not rated yet, A's notification and settings, a published
    article and a draft."""
    desk = desk_make()
    cleared = declaration_make(state="cleared", user=declarant_a, lines=1)
    unrated = declaration_make(state="cleared", user=declarant_a, lines=1)
    request = services.request_open(user=declarant_a, topic="procedure",
                                    subject="Thủ tục nhập khẩu mì ăn liền",
                                    message="Xin hướng dẫn thủ tục.", declaration=cleared.pk,
                                    files=[pdf_file("hoa-don.pdf")])
    services.message_post(request=request, user=desk.officer1, body="Xem hướng dẫn kèm theo.")
    rating = ratings.rating_give(user=declarant_a, declaration=cleared.pk, timeliness=4,
                                 transparency=5, attitude=4,
                                 comment="Cán bộ hướng dẫn rất tận tình")
    notices.settings_save(declarant_a, {services.REQUEST_ANSWERED})
    request.refresh_from_db()
    return SimpleNamespace(
        desk=desk, cleared=cleared, unrated=unrated, request=request, rating=rating,
        attachment=Attachment.objects.get(message__request=request),
        notification=Notification.objects.get(recipient=declarant_a,
                                              kind=services.REQUEST_ANSWERED),
        article=article_make(),
        draft=article_make(published=False, title_vi="Dự thảo hướng dẫn nội bộ",
                           title_en="Internal draft guidance"))


def _url(name, takes_pk, world):
    if not takes_pk:
        return reverse(name)
    row = {"support-request": world.request, "support-attachment": world.attachment,
           "rating": world.rating, "notification": world.notification,
           "guidance-article": world.draft}[name.rsplit("-", 1)[0]]
    return reverse(name, args=[row.pk])


def _call(client, method, url, body):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body[1], format=body[0])


def _snapshot(world, *, but=None):
    """Every row the routes may write (another user's own notification settings aside)."""
    request = SupportRequest.objects.get(pk=world.request.pk)
    settings = NotificationSetting.objects.exclude(user=but) if but else \
        NotificationSetting.objects.all()
    return (SupportRequest.objects.count(), Message.objects.count(), Attachment.objects.count(),
            Rating.objects.count(), Notification.objects.count(),
            sorted(Notification.objects.filter(read_at__isnull=False)
                   .values_list("pk", flat=True)),
            sorted(settings.values_list("user_id", "kind", "email")),
            (request.version, request.state, request.assigned_to_id, request.mode,
             request.scheduled_at, request.closed_at))


def _secrets(world) -> list[str]:
    """What of A's another enterprise must never read."""
    return [world.request.subject, world.rating.comment, world.draft.title_vi,
            world.attachment.original_name, world.cleared.number]


def test_every_partnership_route_has_a_recipe():
    routes = {(name, method) for name, method, _action, _pk in partnership_routes()}
    assert routes == set(PARTNERSHIP_BODIES)
    assert set(STRANGER_STATUS) <= routes


@pytest.mark.parametrize("name, method, action, takes_pk", partnership_routes())
def test_anonymous_gets_401_and_nothing_is_written(api_client, world, name, method, action,
                                                   takes_pk):
    before = _snapshot(world)
    response = _call(api_client, method, _url(name, takes_pk, world),
                     PARTNERSHIP_BODIES[name, method](world))
    assert response.status_code == 401, (name, method, response.status_code)
    assert _snapshot(world) == before


@pytest.mark.parametrize("name, method, action, takes_pk", partnership_routes())
def test_another_enterprise_learns_nothing_and_writes_nothing(api_as, world, declarant_b, name,
                                                              method, action, takes_pk):
    own_settings = (name, method) == ("notification-settings", "put")
    before = _snapshot(world, but=declarant_b if own_settings else None)
    response = _call(api_as(declarant_b), method, _url(name, takes_pk, world),
                     PARTNERSHIP_BODIES[name, method](world))
    expected = STRANGER_STATUS.get((name, method), 404 if takes_pk else 200)
    assert response.status_code == expected, (name, method, response.status_code,
                                              response.content[:300])
    content = response.content.decode()
    for secret in _secrets(world):
        assert secret not in content, (name, method, secret)
    if method == "get" and name.endswith("-list") and name != "guidance-article-list":
        assert response.json()["count"] == 0, name
    if name == "guidance-article-list":  # published guidance is for everyone, drafts are not
        assert [row["id"] for row in response.json()["results"]] == [world.article.pk]
    assert _snapshot(world, but=declarant_b if own_settings else None) == before


def test_asking_about_anothers_declaration_reads_as_if_it_did_not_exist(api_as, world,
                                                                         declarant_b):
    client = api_as(declarant_b)
    before = _snapshot(world)
    body = dict(_asking(world)[1], files=pdf_file("co.pdf"))
    theirs = client.post(reverse("support-request-list"), body, format="multipart")
    nowhere = client.post(reverse("support-request-list"),
                          dict(body, declaration=2**31 - 1, files=pdf_file("co.pdf")),
                          format="multipart")
    assert theirs.status_code == nowhere.status_code == 400
    assert theirs.json() == nowhere.json() and set(theirs.json()) == {"declaration"}
    assert _snapshot(world) == before


def test_the_owner_reaches_what_another_enterprise_may_not(api_as, world, declarant_a):
    """The 404s above are about who asks: the same routes answer the request's enterprise."""
    client = api_as(declarant_a)
    for name, row in (("support-request-detail", world.request),
                      ("support-attachment-detail", world.attachment),
                      ("rating-detail", world.rating),
                      ("notification-detail", world.notification)):
        assert client.get(reverse(name, args=[row.pk])).status_code == 200, name
    for name in ("support-request-list", "rating-list", "notification-list"):
        assert client.get(reverse(name)).json()["count"] >= 1, name
    email = {row["kind"]: row["email"] for row in client.get(reverse("notification-settings"))
             .json()}  # one row per kind, not paginated
    assert email[services.REQUEST_ANSWERED] and not email[services.REQUEST_NEW]
    response = client.post(reverse("support-request-list"), _asking(world)[1],
                           format="multipart")
    assert response.status_code == 201, response.content[:300]
    assert response.json()["declaration"] == world.cleared.pk


@pytest.mark.parametrize("name, takes_pk", sorted({(r[0], r[3]) for r in partnership_routes()}))
def test_options_on_every_route_answers(api_as, world, declarant_a, name, takes_pk):
    """OPTIONS describes a route (the settings' PUT names no object: that once was a 500)."""
    response = api_as(declarant_a).options(_url(name, takes_pk, world))
    assert response.status_code == 200, (name, response.status_code)


# --- officers -----------------------------------------------------------------------------------
REQUEST_WRITES = [r for r in partnership_routes()
                  if r[0].startswith("support-request-") and r[1] == "post"]


@pytest.mark.parametrize("name, method, action, takes_pk", REQUEST_WRITES)
def test_an_officer_off_the_desk_may_not_act_on_a_request(api_as, world, inspector, name,
                                                          method, action, takes_pk):
    before = _snapshot(world)
    response = _call(api_as(inspector), method, _url(name, takes_pk, world),
                     PARTNERSHIP_BODIES[name, method](world))
    assert response.status_code == 403, (name, response.status_code, response.content[:300])
    assert _snapshot(world) == before


def test_an_officer_off_the_desk_reads_requests_but_not_who_rated_what(api_as, world,
                                                                       inspector):
    client = api_as(inspector)
    assert client.get(reverse("support-request-detail",
                              args=[world.request.pk])).status_code == 200
    assert client.get(reverse("rating-list")).json()["count"] == 0
    assert client.get(reverse("rating-detail", args=[world.rating.pk])).status_code == 404
    summary = client.get(reverse("rating-summary"))
    assert summary.status_code == 200 and world.rating.comment not in summary.content.decode()


def test_a_desk_officer_who_is_no_leader_may_not_reassign(api_as, world):
    before = _snapshot(world)
    officer = world.desk.officer1
    assert world.request.assigned_to == officer
    response = _call(api_as(officer), "post", _url("support-request-assign", True, world),
                     PARTNERSHIP_BODIES["support-request-assign", "post"](world))
    assert response.status_code == 403, response.content[:300]
    assert _snapshot(world) == before


@pytest.mark.parametrize("who", ["officer1", "officer2"])
def test_a_desk_officer_who_is_no_leader_reads_ratings_only_in_aggregate(api_as, world, who):
    client = api_as(getattr(world.desk, who))
    listed = client.get(reverse("rating-list"))
    assert listed.status_code == 200 and listed.json()["count"] == 0
    assert client.get(reverse("rating-detail", args=[world.rating.pk])).status_code == 404
    summary = client.get(reverse("rating-summary", query={"scope": "branch"}))
    assert summary.status_code == 200  # their own work's (none), never the branch's
    assert summary.json()["ratings"] == 0 and "index" not in summary.json()
    assert world.rating.comment not in summary.content.decode()


def test_the_desk_leader_reads_ratings_and_reassigns(api_as, world):
    """The refusals above are about who asks: the desk's leader does both."""
    client = api_as(world.desk.leader)
    assert client.get(reverse("rating-detail", args=[world.rating.pk])).json()["comment"] == \
        world.rating.comment
    response = _call(client, "post", _url("support-request-assign", True, world),
                     PARTNERSHIP_BODIES["support-request-assign", "post"](world))
    assert response.status_code == 200, response.content[:300]
    assert response.json()["assigned_to"] == world.desk.officer2.username


# --- rating a declaration's service -------------------------------------------------------------
def _rate(client, declaration_pk):
    return client.post(reverse("rating-list"), {"declaration": declaration_pk, "timeliness": 2,
                                                "transparency": 3, "attitude": 4},
                       format="json")


def test_rating_a_declaration_not_cleared_is_409_and_writes_nothing(api_as, world,
                                                                    declarant_a):
    submitted = declaration_make(state="submitted", user=declarant_a, lines=1)
    before = _snapshot(world)
    response = _rate(api_as(declarant_a), submitted.pk)
    assert response.status_code == 409, response.content[:300]
    assert response.json()["code"] == "not_cleared"
    assert _snapshot(world) == before
    assert not Rating.objects.filter(declaration=submitted).exists()


def test_rating_another_enterprises_declaration_is_404_and_writes_nothing(api_as, world,
                                                                          declarant_b):
    before = _snapshot(world)
    theirs = _rate(api_as(declarant_b), world.unrated.pk)
    nowhere = _rate(api_as(declarant_b), 2**31 - 1)
    assert theirs.status_code == nowhere.status_code == 404
    assert theirs.json() == nowhere.json()
    assert world.unrated.number not in theirs.content.decode()
    assert _snapshot(world) == before
    assert not Rating.objects.filter(declaration=world.unrated).exists()


def test_rating_twice_is_409_and_writes_nothing(api_as, world, declarant_a):
    before = _snapshot(world)
    response = _rate(api_as(declarant_a), world.cleared.pk)
    assert response.status_code == 409, response.content[:300]
    assert response.json()["code"] == "already_rated"
    assert _snapshot(world) == before
    rating = Rating.objects.get(declaration=world.cleared)
    assert (rating.pk, rating.timeliness, rating.transparency, rating.attitude) == (
        world.rating.pk, 4, 5, 4)


def test_rating_a_cleared_declaration_of_ones_own_once(api_as, world, declarant_a):
    """The refusals above are about the declaration: this one is rated, once."""
    response = _rate(api_as(declarant_a), world.unrated.pk)
    assert response.status_code == 201, response.content[:300]
    assert response.json()["declaration"] == world.unrated.pk
    assert _rate(api_as(declarant_a), world.unrated.pk).status_code == 409
    assert Rating.objects.filter(declaration=world.unrated).count() == 1
