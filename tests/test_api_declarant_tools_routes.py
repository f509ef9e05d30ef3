"""The declarant's tools, API and pages: a new draft from a past declaration, goods lines from
and to a spreadsheet, the printed declaration and the duty receipt, HS suggestions and the
empty template.

Another enterprise gets 404 on each of them with the recipes of tests/test_api_scoping.py
(which also has anonymous 401 on every declaration route); here: an officer of any role is
403 on the declarant's writes (copy, lines import) and reads the paperwork of any enterprise's
declaration; the owner reaches what the others may not with the same recipes; anonymous is 401
on the routes that name no declaration; HS suggestions never tell one enterprise what another
declared; and nothing is written by anyone refused.
"""

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.urls import reverse

from customs_core.choices import Role
from customs_core.testing.factories import UserFactory
from declarations.models import Declaration
from declarations.testing import declaration_make
from tests.test_api_scoping import BODIES, EXPECTED, detail_routes, lines_sheet, paid, snapshot

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Routes under /api/v1/declarations/ that name no declaration, for every signed-in user
# (the officers' meta-test in test_api_officer_routes.py knows them from here).
TOOL_ROUTES = {
    "declaration-hs-suggestions": {"q": "mi an lien", "limit": "25"},
    "declaration-lines-template": {"as": "csv"},
}
DECLARANT_WRITES = {"copy", "lines_import"}
# The paperwork an officer reads of any declaration: action -> (query, content type, magic).
PAPERWORK = {
    "lines_export": ({}, XLSX, b"PK"),
    "print_pdf": ({}, "application/pdf", b"%PDF-"),
    "receipt": ({}, "application/pdf", b"%PDF-"),
}
OFFICER_ROLES = sorted(set(Role.values) - {Role.ENTERPRISE})
ROUTE_NAMES = {action: name for name, _method, action in detail_routes()}


def _officer(role):
    return UserFactory(username=f"tools_{role}", role=role)


def _send(client, action, declaration, **extra):
    body = BODIES[action]()
    url = reverse(ROUTE_NAMES[action], args=[declaration.pk])
    method = "post" if action in DECLARANT_WRITES else "get"
    if body is None:
        return getattr(client, method)(url, **extra)
    return getattr(client, method)(url, body[1], format=body[0], **extra)


def test_the_tools_are_routes_of_the_configuration():
    """Renaming an action leaves no test behind: the sets here name real routes."""
    assert DECLARANT_WRITES | set(PAPERWORK) <= set(ROUTE_NAMES)
    for name in TOOL_ROUTES:
        assert reverse(name).startswith("/api/v1/declarations/")


# --- routes that name no declaration ---------------------------------------------------------
@pytest.mark.parametrize("name", sorted(TOOL_ROUTES))
def test_anonymous_gets_401_on_the_tools(api_client, reference_data, name):
    response = api_client.get(reverse(name), TOOL_ROUTES[name])
    assert response.status_code == 401, (name, response.status_code)


@pytest.mark.parametrize("role", sorted(Role.values))
@pytest.mark.parametrize("name", sorted(TOOL_ROUTES))
def test_every_signed_in_user_has_the_tools(api_as, declarant_a, name, role):
    user = declarant_a if role == Role.ENTERPRISE else _officer(role)
    response = api_as(user).get(reverse(name), TOOL_ROUTES[name])
    assert response.status_code == 200, (name, role, response.content[:300])
    if name == "declaration-lines-template":
        assert response["Content-Type"].startswith("text/csv")
    else:
        assert response.json() and all(s["declared_before"] == 0 for s in response.json())


# --- the declarant's writes: officers may not ---------------------------------------------------
@pytest.mark.parametrize("role", OFFICER_ROLES)
@pytest.mark.parametrize("action", sorted(DECLARANT_WRITES))
@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_an_officer_may_not_write_for_the_declarant(api_as, declarant_a, make_declaration,
                                                    action, role, state):
    theirs = make_declaration(state=state)
    before = snapshot(theirs)
    response = _send(api_as(_officer(role)), action, theirs,
                     HTTP_IDEMPOTENCY_KEY=f"officer-{role}")
    assert response.status_code == 403, (action, role, response.content[:300])
    assert snapshot(theirs) == before


@pytest.mark.parametrize("role", OFFICER_ROLES)
def test_an_officer_may_not_send_an_oversized_import_either(api_as, make_declaration, role):
    """The refusal comes before the body is looked at: 403, never 413."""
    theirs = make_declaration()
    before = snapshot(theirs)
    response = api_as(_officer(role)).generic(
        "POST", reverse("declaration-lines-import", args=[theirs.pk]), b"x" * 1024,
        content_type="multipart/form-data; boundary=b", CONTENT_LENGTH=str(100 * 1024 * 1024))
    assert response.status_code == 403
    assert snapshot(theirs) == before


# --- the paperwork: officers read any declaration's --------------------------------------------
@pytest.mark.parametrize("role", OFFICER_ROLES)
@pytest.mark.parametrize("action", sorted(PAPERWORK))
def test_an_officer_reads_the_paperwork_of_any_declaration(api_as, declarant_a, declarant_b,
                                                           make_declaration, action, role):
    client = api_as(_officer(role))
    for owner in (declarant_a, declarant_b):
        declaration = paid(make_declaration(state="submitted", user=owner))
        before = snapshot(declaration)
        query, content_type, magic = PAPERWORK[action]
        response = client.get(reverse(ROUTE_NAMES[action], args=[declaration.pk]), query)
        assert response.status_code == 200, (action, role, response.content[:300])
        assert response["Content-Type"].startswith(content_type)
        assert response.content.startswith(magic)
        assert response["Cache-Control"] == "private, no-store"
        assert snapshot(declaration) == before


# --- the owner: what the others may not, with the same recipes ----------------------------------
def test_the_owner_copies_with_the_recipe(api_as, declarant_a, make_declaration):
    mine = make_declaration(state="submitted")
    count = Declaration.objects.count()
    response = _send(api_as(declarant_a), "copy", mine)
    assert response.status_code == 201, response.content[:300]
    copy = Declaration.objects.get(pk=response.json()["id"])
    assert copy.state == "draft" and copy.enterprise_id == mine.enterprise_id
    assert Declaration.objects.count() == count + 1
    assert list(copy.lines.values_list("tariff_line_id", "quantity")) == list(
        mine.lines.values_list("tariff_line_id", "quantity"))


def test_a_copy_with_the_same_idempotency_key_is_made_once(api_as, declarant_a,
                                                           make_declaration):
    mine = make_declaration(state="submitted")
    client = api_as(declarant_a)
    first = _send(client, "copy", mine, HTTP_IDEMPOTENCY_KEY="copy-1")
    count = Declaration.objects.count()
    again = _send(client, "copy", mine, HTTP_IDEMPOTENCY_KEY="copy-1")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert Declaration.objects.count() == count


def test_another_enterprise_replaying_the_owners_key_learns_nothing(api_as, declarant_a,
                                                                    declarant_b,
                                                                    make_declaration):
    mine = make_declaration(state="submitted")
    first = _send(api_as(declarant_a), "copy", mine, HTTP_IDEMPOTENCY_KEY="copy-1")
    before = snapshot(mine)
    response = _send(api_as(declarant_b), "copy", mine, HTTP_IDEMPOTENCY_KEY="copy-1")
    assert response.status_code == 404
    assert str(first.json()["id"]) not in response.content.decode()
    assert snapshot(mine) == before


def test_the_owner_imports_with_the_recipe(api_as, declarant_a, make_declaration):
    draft = make_declaration()
    response = _send(api_as(declarant_a), "lines_import", draft)
    assert response.status_code == 200, response.content[:500]
    assert response.json()["imported"] == 2 and response["ETag"]
    assert draft.lines.count() == 2  # the recipe replaces the draft's lines


def test_the_owner_gets_413_for_an_oversized_import_another_enterprise_404(
        api_as, declarant_a, declarant_b, make_declaration):
    draft = make_declaration()
    before = snapshot(draft)
    url = reverse("declaration-lines-import", args=[draft.pk])
    for user, expected in ((declarant_b, 404), (declarant_a, 413)):
        response = api_as(user).generic(
            "POST", url, b"x" * 1024, content_type="multipart/form-data; boundary=b",
            CONTENT_LENGTH=str(100 * 1024 * 1024))
        assert response.status_code == expected, (user.username, response.content[:200])
    assert snapshot(draft) == before


def test_a_bad_row_is_a_400_naming_it_and_nothing_is_imported(api_as, declarant_a,
                                                              make_declaration):
    draft = make_declaration()
    before = snapshot(draft)
    content = lines_sheet(3).read().decode().replace("17049099", "99999999")
    response = api_as(declarant_a).post(
        reverse("declaration-lines-import", args=[draft.pk]),
        {"file": SimpleUploadedFile("lines.csv", content.encode(), content_type="text/csv")},
        format="multipart")
    assert response.status_code == 400, response.content[:300]
    assert set(response.json()) == {"file", "rows"} and list(response.json()["rows"]) == ["3"]
    assert snapshot(draft) == before


@pytest.mark.parametrize("kind, content_type, magic", [("xlsx", XLSX, b"PK"),
                                                      ("csv", "text/csv", b"\xef\xbb\xbf")])
def test_the_owner_exports_the_lines(api_as, declarant_a, make_declaration, kind,
                                     content_type, magic):
    mine = make_declaration()
    response = api_as(declarant_a).get(reverse("declaration-lines-export", args=[mine.pk]),
                                       {"as": kind})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response.content.startswith(magic)


def test_the_owner_prints_and_gets_the_receipt_once_paid(api_as, declarant_a,
                                                         make_declaration):
    client = api_as(declarant_a)
    mine = make_declaration(state="submitted")
    assert _send(client, "print_pdf", mine).content.startswith(b"%PDF-")
    unpaid = _send(client, "receipt", mine)
    assert unpaid.status_code == 409 and unpaid.json()["code"] == "nothing_paid"
    receipt = _send(client, "receipt", paid(mine))
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF-")


# --- HS suggestions: one enterprise's habits are its own ---------------------------------------
QUERIES = ["1902", "17049099", "nuoc mam", "khac", "mi an lien", "21039013"]
A_CODES = {"19023040", "17049099", "21039013"}  # declaration_make's lines


def _suggestions(client, q) -> list[tuple[str, int]]:
    response = client.get(reverse("declaration-hs-suggestions"), {"q": q, "limit": 25})
    assert response.status_code == 200, response.content[:300]
    return [(s["hs_code"], s["declared_before"]) for s in response.json()]


def test_hs_suggestions_never_reveal_another_enterprises_usage(api_as, declarant_a,
                                                               declarant_b, doc_checker):
    client = api_as(declarant_b)
    unknowing = {q: _suggestions(client, q) for q in QUERIES}
    for _ in range(2):
        declaration_make(state="submitted", user=declarant_a)
    declaration_make(state="submitted", user=declarant_b, lines=1)  # B's own: 19023040 once
    cache.clear()
    mine = {q: dict(_suggestions(api_as(declarant_a), q)) for q in QUERIES}  # cached for A
    assert {code for found in mine.values() for code, n in found.items() if n} == A_CODES
    assert all(mine[q].get(code) in (None, 2)
               for q in QUERIES for code in A_CODES)
    for q in QUERIES:
        theirs = _suggestions(api_as(declarant_b), q)
        assert all(n == (1 if code == "19023040" else 0) for code, n in theirs), (q, theirs)
        officer = _suggestions(api_as(doc_checker), q)
        assert all(n == 0 for _code, n in officer), (q, officer)
        # B's ranking is what it was before A declared anything (B's own line aside).
        assert [code for code, _n in theirs if code != "19023040"] == [
            code for code, _n in unknowing[q] if code != "19023040"], q


def test_the_suggestions_fragment_never_shows_another_enterprises_usage(client, declarant_a,
                                                                        declarant_b):
    declaration_make(state="submitted", user=declarant_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(declarant_a)
    mine = client.get(reverse("declarations:hs-suggest"), {"q": "nuoc mam", "row": "0"})
    assert "21039013" in mine.content.decode() and "declared 1 time" in mine.content.decode()
    client.force_login(declarant_b)
    theirs = client.get(reverse("declarations:hs-suggest"), {"q": "nuoc mam", "row": "0"})
    assert "21039013" in theirs.content.decode() and "declared" not in theirs.content.decode()


# --- pages ---------------------------------------------------------------------------------------
PAGE_READS = {"declarations:print": [], "declarations:receipt": [],
              "declarations:lines-export": ["csv"]}
PAGE_WRITES = {"declarations:copy": [], "declarations:expected-remove": [0]}
OPEN_PAGES = {"declarations:hs-suggest": {"q": "1902"},
              "declarations:lines-template": {"as": "xlsx"}}


@pytest.mark.parametrize("name", sorted({**PAGE_READS, **PAGE_WRITES}))
def test_anonymous_is_sent_to_sign_in_on_every_page(client, make_declaration, name):
    theirs = paid(make_declaration(state="submitted"))
    before = snapshot(theirs)
    args = [theirs.pk, *{**PAGE_READS, **PAGE_WRITES}[name]]
    response = (client.get if name in PAGE_READS else client.post)(reverse(name, args=args))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    assert snapshot(theirs) == before


@pytest.mark.parametrize("name", sorted(OPEN_PAGES))
def test_the_open_pages_are_for_the_signed_in(client, declarant_b, doc_checker, name):
    response = client.get(reverse(name), OPEN_PAGES[name])
    assert response.status_code == 302
    for user in (declarant_b, doc_checker):
        client.force_login(user)
        assert client.get(reverse(name), OPEN_PAGES[name]).status_code == 200


@pytest.mark.parametrize("role", OFFICER_ROLES)
@pytest.mark.parametrize("name", sorted(PAGE_WRITES))
def test_an_officer_may_not_use_the_declarants_pages(client, make_declaration, name, role):
    theirs = make_declaration()
    Declaration.objects.filter(pk=theirs.pk).update(documents_expected=EXPECTED)
    before = snapshot(theirs)
    client.force_login(_officer(role))
    response = client.post(reverse(name, args=[theirs.pk, *PAGE_WRITES[name]]))
    assert response.status_code == 403
    assert snapshot(theirs) == before


@pytest.mark.parametrize("name", sorted(PAGE_READS))
def test_an_officer_reads_the_paperwork_pages(client, make_declaration, doc_checker, name):
    theirs = paid(make_declaration(state="submitted"))
    client.force_login(doc_checker)
    response = client.get(reverse(name, args=[theirs.pk, *PAGE_READS[name]]))
    assert response.status_code == 200, (name, response.status_code)
    assert response["Cache-Control"] == "private, no-store"


def test_the_owner_uses_the_pages(client, declarant_a, make_declaration):
    client.force_login(declarant_a)
    mine = make_declaration(state="submitted")
    receipt = client.get(reverse("declarations:receipt", args=[mine.pk]))
    assert receipt.status_code == 302  # nothing paid: back to the declaration, with a message
    assert client.get(reverse("declarations:lines-export", args=[mine.pk, "pdf"])
                      ).status_code == 404
    copied = client.post(reverse("declarations:copy", args=[mine.pk]))
    copy = Declaration.objects.order_by("-pk").first()
    assert copied.status_code == 302 and copied["Location"] == reverse("declarations:edit",
                                                                       args=[copy.pk])
    Declaration.objects.filter(pk=copy.pk).update(documents_expected=EXPECTED)
    removed = client.post(reverse("declarations:expected-remove", args=[copy.pk, 0]))
    assert removed.status_code == 302
    copy.refresh_from_db()
    assert copy.documents_expected == EXPECTED[1:]
