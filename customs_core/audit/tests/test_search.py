"""The audit search page and its exports: for the branch leader and auditors only (403 for
every other role), filters by who, action, object, dates (dd/mm/yyyy) and address, newest
first, page by page; CSV and XLSX of the current search."""

import csv
import io
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from customs_core.audit import exports
from customs_core.audit.choices import AuditAction
from customs_core.audit.models import AuditEvent
from customs_core.audit.services import record
from customs_core.testing.factories import DeclarantFactory

pytestmark = pytest.mark.django_db


def _event(day: str, action, obj, actor, *, label=None, details=None) -> AuditEvent:
    """A row as record() writes it, dated `day` (local time)."""
    return AuditEvent.objects.create(
        occurred_at=timezone.make_aware(datetime.strptime(day, "%d/%m/%Y %H:%M")),
        actor=actor, actor_username=actor.username, actor_role=actor.role, action=action,
        object_type=obj._meta.label_lower, object_id=str(obj.pk),
        object_label=label or str(obj), details=details or {})


@pytest.fixture
def world(doc_checker, inspector, leader, routed):
    """Reads by two officers on days of their own, and a role change."""
    return {
        "declaration": routed,
        "doc_read": _event("10/03/2026 09:15", AuditAction.DECLARATION_VIEWED, routed,
                           doc_checker, details={"risk_assessment": 1}),
        "doc_docs": _event("11/03/2026 23:30", AuditAction.DOCUMENT_VIEWED, routed, inspector),
        "inspector_read": _event("12/03/2026 08:00", AuditAction.DECLARATION_VIEWED, routed,
                                 inspector),
        "role": _event("12/03/2026 10:00", AuditAction.ROLE_CHANGED, inspector, leader,
                       label="inspector", details={"role": {"old": "inspection",
                                                            "new": "risk"}}),
    }


def _ids(response) -> list[int]:
    return [row["event"].pk for row in response.context["rows"]]


def _search(client, user, **params):
    client.force_login(user)
    response = client.get(reverse("audit:search"), params)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("who", ["doc_checker", "inspector", "risk_officer", "team_leader",
                                 "admin_user", "declarant_a"])
@pytest.mark.parametrize("name", ["audit:search", "audit:export"])
def test_every_other_role_gets_403(client, request, who, name):
    client.force_login(request.getfixturevalue(who))
    args = ["csv"] if name == "audit:export" else []
    before = AuditEvent.objects.count()
    assert client.get(reverse(name, args=args)).status_code == 403
    assert AuditEvent.objects.count() == before


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("audit:search"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["leader", "auditor"])
def test_the_leader_and_the_auditor_search_newest_first(client, request, world, who):
    response = _search(client, request.getfixturevalue(who),
                       object=world["declaration"].number)
    assert _ids(response) == [world[k].pk for k in ("inspector_read", "doc_docs", "doc_read")]


def test_search_by_who(client, auditor, world):
    response = _search(client, auditor, actor="INSPECTOR")
    assert _ids(response) == [world["inspector_read"].pk, world["doc_docs"].pk]


def test_search_by_action_finds_assessments_shown_on_the_page(client, auditor, world):
    assert _ids(_search(client, auditor, action="document_viewed")) == [world["doc_docs"].pk]
    assert _ids(_search(client, auditor, action="risk_assessment_viewed")) == [
        world["doc_read"].pk]


def test_search_by_object_id_or_number_prefix_and_type(client, auditor, world):
    declaration = world["declaration"]
    by_id = _ids(_search(client, auditor, object=str(declaration.pk),
                         object_type="declarations.declaration"))
    by_prefix = _ids(_search(client, auditor, object=declaration.number[:11]))
    assert by_id == by_prefix == [world[k].pk for k in ("inspector_read", "doc_docs",
                                                        "doc_read")]
    assert _ids(_search(client, auditor, object_type="customs_core.user",
                        action="role_changed")) == [world["role"].pk]


def test_search_by_days_typed_day_first_in_vietnamese(client, auditor, world):
    """The 11th runs to local midnight: an event at 23:30 that day is in, in any time zone."""
    response = _search(client, auditor, date_from="11/03/2026", date_to="11/03/2026")
    assert _ids(response) == [world["doc_docs"].pk]
    response = _search(client, auditor, date_from="2026-03-12")
    assert set(_ids(response)) >= {world["inspector_read"].pk, world["role"].pk}
    assert world["doc_docs"].pk not in _ids(response)


def test_a_date_that_is_no_date_is_a_field_error_and_finds_nothing(client, auditor, world):
    response = _search(client, auditor, date_from="31/02/2026")
    assert response.context["filter"].errors["date_from"]
    assert _ids(response) == []


def test_search_by_address(client, auditor, world, doc_checker, rf):
    request = rf.get("/", REMOTE_ADDR="172.16.5.4")
    request.user = doc_checker
    mine = record(request, AuditAction.DECLARATION_VIEWED, world["declaration"])
    assert _ids(_search(client, auditor, ip="172.16.5.4")) == [mine.pk]
    assert _search(client, auditor, ip="not an address").context["filter"].errors["ip"]


def test_pages_walk_older_and_back_newer_without_counting(client, auditor, leader,
                                                          django_assert_max_num_queries):
    created = [record(None, AuditAction.RULESET_ACTIVATED, actor=leader).pk for _ in range(7)]
    newest_first = created[::-1]
    from customs_core.audit import views

    views.PAGE_SIZE, size = 3, views.PAGE_SIZE
    try:
        first = _search(client, auditor, action="ruleset_activated")
        assert _ids(first) == newest_first[:3] and first.context["page"].newer is None
        second = _search(client, auditor, action="ruleset_activated",
                         before=first.context["page"].older)
        assert _ids(second) == newest_first[3:6]
        third = _search(client, auditor, action="ruleset_activated",
                        before=second.context["page"].older)
        assert _ids(third) == newest_first[6:] and third.context["page"].older is None
        back = _search(client, auditor, action="ruleset_activated",
                       after=third.context["page"].newer)
        assert _ids(back) == newest_first[3:6]
        with django_assert_max_num_queries(8):  # session, user, one page query: no COUNT
            client.get(reverse("audit:search"), {"before": second.context["page"].older})
    finally:
        views.PAGE_SIZE = size


def test_the_page_shows_a_role_change_as_old_and_new_role(client, auditor, world, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = _search(client, auditor, action="role_changed").content.decode()
    assert "role: Inspection officer → Risk officer" in page


# --- exports ----------------------------------------------------------------------------------
def test_the_csv_export_holds_the_search_and_is_itself_recorded(client, leader, world,
                                                                settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(leader)
    response = client.get(reverse("audit:export", args=["csv"]),
                          {"object": world["declaration"].number})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Cache-Control"] == "private, no-store"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:5] == ["When", "Username", "Role", "Action", "Action code"]
    assert [(r[0], r[1], r[4]) for r in rows[1:]] == [
        ("12/03/2026 08:00:00", "inspector", "declaration_viewed"),
        ("11/03/2026 23:30:00", "inspector", "document_viewed"),
        ("10/03/2026 09:15:00", "doc_checker", "declaration_viewed")]
    exported = AuditEvent.objects.filter(action=AuditAction.AUDIT_EXPORTED).get()
    assert exported.actor == leader
    assert exported.details == {"format": "csv",
                                "filters": {"object": world["declaration"].number}}


def test_the_xlsx_export_holds_the_search_with_real_times(client, auditor, world):
    client.force_login(auditor)
    response = client.get(reverse("audit:export", args=["xlsx"]), {"actor": "inspector"})
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 3
    assert values[1][0] == datetime(2026, 3, 12, 8, 0)
    assert (values[1][1], values[1][4], values[2][4]) == (
        "inspector", "declaration_viewed", "document_viewed")


def test_a_cell_that_would_be_a_formula_is_written_as_text(client, auditor, reference_data):
    evil = DeclarantFactory(username="=cmd|x")
    record(None, AuditAction.DECLARATION_VIEWED, actor=evil)
    client.force_login(auditor)
    text = b"".join(client.get(reverse("audit:export", args=["csv"]),
                               {"actor": "=cmd|x"}).streaming_content).decode()
    assert "'=cmd|x" in text
    book = client.get(reverse("audit:export", args=["xlsx"]), {"actor": "=cmd|x"})
    sheet = load_workbook(io.BytesIO(b"".join(book.streaming_content))).active
    assert sheet.cell(row=2, column=2).value == "'=cmd|x"


def test_too_many_rows_for_a_workbook_sends_the_reader_back(client, auditor, world,
                                                            monkeypatch):
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 1)  # the inspector has two
    client.force_login(auditor)
    response = client.get(reverse("audit:export", args=["xlsx"]), {"actor": "inspector"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("audit:search"))
    assert not AuditEvent.objects.filter(action=AuditAction.AUDIT_EXPORTED).exists()
    csv_response = client.get(reverse("audit:export", args=["csv"]), {"actor": "inspector"})
    assert csv_response.status_code == 200


def test_an_export_of_a_wrong_search_is_refused(client, auditor):
    client.force_login(auditor)
    response = client.get(reverse("audit:export", args=["csv"]), {"date_to": "99/99/2026"})
    assert response.status_code == 302
    assert client.get(reverse("audit:export", args=["pdf"])).status_code == 404


def test_the_auditor_and_the_leader_find_the_audit_from_their_home(client, auditor, leader,
                                                                   world):
    for user in (auditor, leader):
        client.force_login(user)
        page = client.get(reverse("home")).content.decode()
        assert reverse("audit:search") in page, user.role
        assert 'data-testid="widget-audit"' in page
    client.force_login(auditor)
    home = client.get(reverse("home"))
    menu = [item["url_name"] for item in home.context["menu"]]
    assert "audit:search" in menu and "declarations:list" in menu
    client.force_login(leader)
    assert "audit:search" not in [item["url_name"]
                                  for item in client.get(reverse("home")).context["menu"]]


@pytest.mark.parametrize("cursor", ["x", "1_", "_1", "99999999999999999_99999999999999999999",
                                    "1.5_2", "-1_-1"])
def test_a_cursor_that_is_not_ours_shows_the_newest_page(client, auditor, world, cursor):
    newest = _ids(_search(client, auditor))
    assert _ids(_search(client, auditor, before=cursor)) == newest
    assert _ids(_search(client, auditor, after=cursor)) == newest
