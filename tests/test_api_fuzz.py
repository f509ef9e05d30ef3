"""schemathesis over the whole OpenAPI schema: no 5xx, every response matches the schema.

Every endpoint added later is fuzzed too, as an enterprise, an officer, a branch leader and a
risk officer, on a database with data in place: the fuzzing enterprise has declarations in
several states, and every path parameter is drawn from ids and codes that exist (and one that
does not), so operations that take an id reach the code behind them instead of a 404. A
stateful run follows the schema's links from a created declaration to the operations on it.
"""

import json
import re
import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from customs_core.wsgi import application

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance,
          status_code_conformance]
WORLD_STATES = ["draft", "submitted", "green", "yellow", "red", "doc_check", "amend_requested",
                "cleared", "cancelled"]


def _openapi() -> dict:
    """The schema /api/schema/ serves, generated in-process (no database needed)."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(json.loads(json.dumps(_openapi(), default=str)))
schema.app = application


@pytest.fixture(autouse=True)
def _keep_test_connection():
    """Calling the WSGI app directly fires request_finished, whose close_old_connections would
    close the test's open transaction; Django's own test client disconnects it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def _token(user) -> str:
    from customs_core.testing.second_factor import api_token

    return api_token(user)


def _desk_world(declarant_a, declarant_b, crew, cleared, others) -> dict:
    """The partnership desk, staffed by the officer (answers) and the team leader (leads) who
    fuzz; the fuzzing enterprise's support requests in every state, with files, and one of
    another enterprise; its rating of a cleared declaration; a published guidance article and
    a draft; a notification of every user who fuzzes (`others`: those nothing tells)."""
    from customs_core import notifications
    from declarations.testing import pdf_file
    from partnership import ratings, services
    from partnership.models import Attachment, DeskMember, Notification
    from partnership.testing import article_make

    DeskMember.objects.create(user=crew.doc1)
    DeskMember.objects.create(user=crew.leader, is_leader=True)
    article = article_make()

    def ask(user, subject):
        return services.request_open(user=user, topic="procedure", subject=subject,
                                     message="Xin hướng dẫn.", files=[pdf_file("hoa-don.pdf")])

    requests = {state: ask(declarant_a, f"Hỏi {state}")
                for state in ("open", "answered", "waiting", "closed", "reopened")}
    for state in ("answered", "waiting", "closed", "reopened"):
        services.message_post(request=requests[state], user=crew.doc1, body="Xem hướng dẫn.",
                              article=article.pk, awaiting_enterprise=state == "waiting")
    for state in ("closed", "reopened"):
        services.request_close(request=requests[state], user=declarant_a, satisfaction=4)
    services.request_reopen(request=requests["reopened"], user=declarant_a, body="Chưa rõ.")
    theirs = ask(declarant_b, "Hỏi của doanh nghiệp khác")
    rating = ratings.rating_give(user=declarant_a, declaration=cleared.pk, timeliness=4,
                                 transparency=4, attitude=5, comment="Tận tình")
    notifications.notify(services.REQUEST_DUE_SOON, recipients=others, obj=requests["open"],
                         context={"number": f"#{requests['open'].pk}", "subject": "Hỏi",
                                  "due_at": requests["open"].due_at.isoformat()},
                         dedupe_key="fuzz-world")
    notices: dict[int, list[int]] = {}
    for recipient, pk in Notification.objects.order_by("pk").values_list("recipient_id", "pk"):
        notices.setdefault(recipient, []).append(pk)
    return {
        "support_id": [r.pk for r in requests.values()] + [theirs.pk, 999_999_999],
        "attachment_id": list(Attachment.objects.order_by("pk").values_list("pk", flat=True))
        + [999_999_999],
        "rating_id": [rating.pk, 999_999_999],
        "article_id": [article.pk, article_make(published=False, title_vi="Dự thảo").pk,
                       999_999_999],
        "notification_id": notices,
    }


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module (customs_core.testing.shared), each test's writes rolled
    back after it: the fuzzing people (`world["people"]`: an enterprise's declarant, another
    enterprise's, a team with its leader and officers, the branch leader, a risk officer), the
    fuzzing enterprise's declarations in several states (with their checks), one of another
    enterprise, a pending channel request, the team's members, the partnership desk's
    requests, files, ratings, articles and notifications, learned selection's models and
    backtests: the values every path parameter is drawn from."""
    from customs_core.testing.shared import module_rows

    with module_rows(django_db_blocker):
        yield _world_make()


def _world_make() -> dict:
    from customs_core.testing.shared import personas_make
    from declarations.risk import services as risk_services
    from declarations.testing import declaration_make, publish_rates
    from inspection.models import Check
    from inspection.testing import crew_make

    publish_rates()
    people = personas_make("fz")
    # A team with its people (inspection): the officer and the team leader who fuzz act on
    # checks that are theirs, so the calls reach the services behind the routes.
    crew = crew_make("GSKT1", prefix="fz")
    people.crew = crew
    declarant_a, declarant_b = people.declarant_a, people.declarant_b
    doc_checker, leader, risk_officer = people.doc_checker, people.leader, people.risk_officer

    mine = [declaration_make(state=state, user=declarant_a, lines=2) for state in WORLD_STATES]
    theirs = declaration_make(state="submitted", user=declarant_b)
    yellow = next(d for d in mine if d.state == "yellow")
    request = risk_services.channel_lowering_request(declaration=yellow, by=doc_checker,
                                                     channel="green", reason="known trader")
    documents = [doc.pk for d in mine for doc in d.documents.all()]
    # Bonded stock of the fuzzing enterprise, a draft re-export drawing on it, goods held by a
    # warehouse suspended at clearance (inspection.warehouses).
    from customs_core.models import BondedWarehouse
    from inspection.warehouses.models import HeldMovement
    from inspection.warehouses.testing import bonded_draft, clear, stock_in, submit

    lot = stock_in(declarant_a, "1000")
    exit_draft = bonded_draft(declarant_a, regime="C12", quantities=("10",))
    entry = submit(bonded_draft(declarant_a, quantities=("5",)), declarant_a)
    BondedWarehouse.objects.filter(code="20BBW01").update(suspended_since="2026-01-01")
    clear(entry, declarant_a)
    BondedWarehouse.objects.filter(code="20BBW01").update(suspended_since=None)
    cleared = next(d for d in mine if d.state == "cleared")
    desk = _desk_world(declarant_a, declarant_b, crew, cleared, others=[leader, risk_officer])
    reports = _reports_world(leader, crew)
    # Learned selection: models (one active), a profile set, a queued and a done backtest.
    from tests.test_api_risk_routes import learning_world

    learning = learning_world(risk_officer)
    return {
        "people": people,
        # made with the world: a token made in a test is rolled back after it
        "tokens": {user.pk: _token(user) for user in (declarant_a, crew.doc1, crew.leader,
                                                      leader, risk_officer)},
        "officers": [crew.doc1, crew.leader, leader, risk_officer],
        **desk,
        **reports,
        **learning,
        "id": [d.pk for d in mine] + [theirs.pk, exit_draft.pk, 999_999_999],
        "stock_id": [lot.pk, 999_999_999],
        "held_id": list(HeldMovement.objects.values_list("pk", flat=True)) + [999_999_999],
        "request_id": [request.pk, 999_999_999],
        "document_id": documents + [999_999_999],
        "check_id": list(Check.objects.filter(declaration__in=mine).values_list("pk", flat=True))
        + [999_999_999],
        "member_id": list(crew.team.members.values_list("pk", flat=True)) + [999_999_999],
        "hs_code": ["19023040", "08109010", "00000000"],
        "code": ["MCBL1", "20BBW01", "NOWHERE"],
        "team_id": crew.team.pk,
    }


def _reports_world(leader, crew) -> dict:
    """The rollups of the declarations above (the figures are not all zeros), a revenue target,
    the branch leader's built export and the team leader's export still queued."""
    from django.utils import timezone

    from customs_core.models import CustomsOffice
    from reporting.exports import export_build, export_request
    from reporting.forms import filters_from
    from reporting.models import RevenueTarget
    from reporting.rollups import history_span, rollups_rebuild

    rollups_rebuild(*history_span())
    year = timezone.localdate().year
    RevenueTarget.objects.create(office=CustomsOffice.objects.get(code="20BB"), year=year,
                                 amount_vnd=10**12, updated_by=leader)
    built, queued = (export_request(user=user, filters=filters_from({})[0])
                     for user in (leader, crew.leader))
    export_build(built.pk)
    return {"export_id": [built.pk, queued.pk, 999_999_999], "office_code": ["20BB", "ZZ99"],
            "year": [year, 1999]}


# Where a path's `id` is not a declaration's: the pool of the rows under that prefix.
ID_POOLS = {"/api/v1/support-requests/": "support_id",
            "/api/v1/support-attachments/": "attachment_id", "/api/v1/ratings/": "rating_id",
            "/api/v1/guidance-articles/": "article_id", "/api/v1/reports/exports/": "export_id",
            "/api/v1/risk/backtests/": "backtest_id"}


def _notification_ids(world, user) -> list:
    """The fuzzing user's own notifications, one of another user's, one that does not exist."""
    notices = world["notification_id"]
    theirs = next(ids[0] for recipient, ids in sorted(notices.items()) if recipient != user.pk)
    return notices[user.pk][:4] + [theirs, 999_999_999]


def _pool(name: str, path: str, world, user) -> list:
    """The values a path parameter is drawn from: ids and codes that exist, and one that does
    not."""
    pool = world.get(name)
    for prefix, key in ID_POOLS.items():
        if name == "id" and path.startswith(prefix):
            pool = world[key]
    if name == "id" and path.startswith("/api/v1/notifications/"):
        pool = _notification_ids(world, user)
    if name == "id" and "channel-requests" in path:
        pool = world["request_id"]
    if name == "id" and path.startswith("/api/v1/checks/"):
        pool = world["check_id"]
    if name == "id" and path.startswith("/api/v1/stock-items/"):
        pool = world["stock_id"]
    if name == "id" and path.startswith("/api/v1/held-stock/"):
        pool = world["held_id"]
    if name == "id" and path.startswith("/api/v1/teams/"):
        pool = [world["team_id"], 999_999_999]
    return pool or []


def _real_path_parameters(case, world, user) -> None:
    """Replace generated path parameters with values that exist (chosen deterministically from
    the case itself, so a failure replays). The generated values are part of the seed: an
    operation with no body (a GET of one row) still draws a different id from one example to
    the next, instead of the same one every time."""
    if not case.path_parameters:
        return
    seed = zlib.crc32(repr((case.path, case.method, case.body,
                            sorted(case.path_parameters.items(), key=str))).encode())
    for name in case.path_parameters:
        pool = _pool(name, case.path, world, user)
        if pool:
            case.path_parameters[name] = pool[seed % len(pool)]


# (operation, username) -> is that user refused on it whatever the request holds
_refusals: dict[tuple[str, str], bool] = {}


def _refused(case, world, user) -> bool:
    """Does the operation refuse this user before reading anything the request carries (401,
    403, or 404 on an operation without path parameters: risk data is never confirmed to an
    enterprise)? Asked once per operation and user with the first value of every path
    parameter's pool and no body, in a savepoint rolled back after it."""
    from django.db import transaction
    from werkzeug.test import Client  # as schemathesis calls the app (Django's test client
    # would connect close_old_connections again: it closes the world's open transaction)

    method, path = case.operation.method.upper(), case.operation.path
    key = (f"{method} {path}", user.username)
    if key not in _refusals:
        names = re.findall(r"{(\w+)}", path)
        for name in names:
            pool = _pool(name, case.operation.path, world, user)
            path = path.replace(f"{{{name}}}", str(pool[0] if pool else 1))
        with transaction.atomic():
            status = Client(application).open(
                path, method=method,
                headers={"Authorization": f"Token {world['tokens'][user.pk]}"}).status_code
            transaction.set_rollback(True)
        _refusals[key] = status in (401, 403) or (status == 404 and not names)
    return _refusals[key]


FUZZ = settings(max_examples=25, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
# The team leader, the branch leader and the risk officer: fewer random examples. Most of
# what they are let into, the officer's 25 examples reach too; their own routes (teams,
# reports, risk) get the coverage phase's every boundary and invalid value from them.
FUZZ_LEADS = settings(FUZZ, max_examples=12)


def _covers(case, world, user) -> bool:
    """Does this user's test run the coverage phase on the operation? Schemathesis's coverage
    phase sends every parameter's boundary and invalid values: two thirds of the requests,
    and the same validation whichever officer sends them. So it runs once on the enterprise's
    side (the declarant, where let in) and once on the officers' side (the first of the
    officer, the team leader, the branch leader and the risk officer who is let in); every
    other user still gets the fuzzing phase's examples, refusals included."""
    if _refused(case, world, user):
        return False
    if user.enterprise_id is not None:
        return True
    return next(officer for officer in world["officers"]
                if not _refused(case, world, officer)).pk == user.pk


def _fuzz(case, user, world):
    """One example as `user` (the coverage phase's only where `_covers`)."""
    if case.meta.phase.name == "coverage" and not _covers(case, world, user):
        return
    _real_path_parameters(case, world, user)
    case.call_and_validate(headers={"Authorization": f"Token {world['tokens'][user.pk]}"},
                           checks=CHECKS)


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_api_as_an_officer_never_fails_and_matches_its_schema(case, world):
    _fuzz(case, world["people"].crew.doc1, world)


@schema.parametrize()
@FUZZ_LEADS
@pytest.mark.django_db
def test_api_as_a_team_leader_never_fails_and_matches_its_schema(case, world):
    _fuzz(case, world["people"].crew.leader, world)


@schema.parametrize()
@FUZZ
@pytest.mark.django_db
def test_api_as_an_enterprise_never_fails_and_matches_its_schema(case, world):
    _fuzz(case, world["people"].declarant_a, world)


@schema.parametrize()
@FUZZ_LEADS
@pytest.mark.django_db
def test_api_as_a_branch_leader_never_fails_and_matches_its_schema(case, world):
    _fuzz(case, world["people"].leader, world)


@schema.parametrize()
@FUZZ_LEADS
@pytest.mark.django_db
def test_api_as_a_risk_officer_never_fails_and_matches_its_schema(case, world):
    _fuzz(case, world["people"].risk_officer, world)


@pytest.mark.django_db
def test_schema_links_lead_from_a_created_declaration_to_every_operation_on_it():
    links = _openapi()["paths"]["/api/v1/declarations/"]["post"]["responses"]["201"]["links"]
    targets = {link["operationId"] for link in links.values()}
    detail_operations = {operation["operationId"]
                         for path, item in _openapi()["paths"].items()
                         if path.startswith("/api/v1/declarations/{id}/")
                         for operation in item.values()}
    assert detail_operations <= targets


# The declarant's tools: in the schema (so fuzzed above, with a token), each response as the
# route gives it: files are binary in their own media type, errors JSON.
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOOL_OPERATIONS = {
    ("/api/v1/declarations/{id}/copy/", "post"): {"201": {"application/json"}},
    ("/api/v1/declarations/{id}/lines/import/", "post"): {"200": {"application/json"},
                                                         "413": {"application/json"}},
    ("/api/v1/declarations/{id}/lines/export/", "get"): {"200": {XLSX, "text/csv"}},
    ("/api/v1/declarations/lines/template/", "get"): {"200": {XLSX, "text/csv"}},
    ("/api/v1/declarations/hs-suggestions/", "get"): {"200": {"application/json"}},
    ("/api/v1/declarations/{id}/print/", "get"): {"200": {"application/pdf"}},
    ("/api/v1/declarations/{id}/receipt/", "get"): {"200": {"application/pdf"},
                                                    "409": {"application/json"}},
}


@pytest.mark.parametrize("path, method", sorted(TOOL_OPERATIONS))
def test_the_declarant_tools_are_documented_as_they_answer(path, method):
    operation = _openapi()["paths"][path][method]
    for code, media_types in TOOL_OPERATIONS[path, method].items():
        assert set(operation["responses"][code]["content"]) == media_types, (code, path)
        for media_type in media_types - {"application/json"}:
            assert operation["responses"][code]["content"][media_type]["schema"] == {
                "type": "string", "format": "binary"}
    for code in {"400", "401", "403", "404", "409", "413"} & set(operation["responses"]):
        if code not in TOOL_OPERATIONS[path, method]:
            assert set(operation["responses"][code]["content"]) == {"application/json"}
    if path.endswith("hs-suggestions/"):  # a plain list: no page, no declaration filters
        assert operation["responses"]["200"]["content"]["application/json"]["schema"][
            "type"] == "array"
        assert {p["name"] for p in operation["parameters"]} == {"q", "limit"}


@pytest.mark.django_db
def test_stateful_runs_follow_links_as_an_enterprise(world):
    """Create a declaration, then act on it through the links: submit, amend, pay, ..."""
    token = world["tokens"][world["people"].declarant_a.pk]

    class Enterprise(schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Token {token}"}}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Enterprise.run(settings=settings(max_examples=15, stateful_step_count=6, deadline=None,
                                     derandomize=True, suppress_health_check=list(HealthCheck)))


# --- Goods lines from a spreadsheet: bodies schemathesis cannot make ---------------------------
# The generated multipart body of lines/import/ carries random bytes as its file, which the
# route refuses as no spreadsheet (400): the cases below send real XLSX and CSV files through
# the same operation and checks, so that 200, 400 with rows, 404, 403, 409, 412 and 413 are
# each seen to answer as the schema says; then cell contents are fuzzed inside a valid sheet.
LINES_IMPORT = schema["/api/v1/declarations/{id}/lines/import/"]["POST"]
SHEET_LINES = [["19023040", "Mì ăn liền", "CN", "1200", "", "1.25", "", ""],
               ["17049099", "Kẹo các loại", "CN", "800", "KGM", "2,10", "1680", "không"]]


def _sheet_csv(rows: list[list]) -> bytes:
    import csv
    import io

    from declarations.spreadsheet import COLUMNS

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([column.heading for column in COLUMNS])
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _sheet_xlsx(rows: list[list]) -> bytes:
    import io

    from openpyxl import Workbook

    from declarations.spreadsheet import COLUMNS

    book = Workbook()
    book.active.append([column.heading for column in COLUMNS])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _import(user, declaration_id, body: dict, headers: dict | None = None):
    case = LINES_IMPORT.Case(path_parameters={"id": str(declaration_id)}, body=body,
                             media_type="multipart/form-data")
    return case.call_and_validate(
        headers={"Authorization": f"Token {_token(user)}", **(headers or {})}, checks=CHECKS)


@pytest.mark.django_db
def test_lines_import_answers_each_documented_status_as_documented(declarant_a, declarant_b,
                                                                   doc_checker):
    from declarations.models import Declaration
    from declarations.testing import declaration_make

    draft = declaration_make(state="draft", user=declarant_a, lines=1)
    submitted = declaration_make(state="submitted", user=declarant_a, lines=1)
    bad = [SHEET_LINES[0], ["99999999", "Không có", "CN", "-4", "", "1", "", "có lẽ"]]
    cases = [
        (declarant_a, draft, {"file": _sheet_csv(SHEET_LINES), "replace": True}, {}, 200),
        (declarant_a, draft, {"file": _sheet_xlsx(SHEET_LINES), "valid_only": False}, {}, 200),
        (declarant_a, draft, {"file": _sheet_xlsx(bad)}, {}, 400),
        (declarant_a, draft, {"file": _sheet_csv(bad), "valid_only": True}, {}, 200),
        (declarant_a, draft, {"file": b"%PDF-1.4\n%%EOF\n"}, {}, 400),
        (declarant_a, draft, {"file": b"\x00\x01 random bytes \xff"}, {}, 400),
        (declarant_a, draft, {"replace": True}, {}, 400),  # no file
        (declarant_a, draft, {"file": _sheet_csv(SHEET_LINES), "extra": "x"}, {}, 400),
        (declarant_a, draft, {"file": _sheet_csv(SHEET_LINES)}, {"If-Match": '"stale"'}, 412),
        (declarant_a, draft, {"file": b"x" * (3 * 1024 * 1024)}, {}, 413),
        (declarant_a, submitted, {"file": _sheet_csv(SHEET_LINES)}, {}, 409),
        (declarant_b, draft, {"file": _sheet_csv(SHEET_LINES)}, {}, 404),
        (doc_checker, draft, {"file": _sheet_csv(SHEET_LINES)}, {}, 403),
    ]
    for user, declaration, body, headers, expected in cases:
        response = _import(user, declaration.pk, body, headers)
        assert response.status_code == expected, (user.username, sorted(body), headers,
                                                   response.status_code, response.text[:300])
        if expected == 400 and body.get("file", b"").startswith(b"PK"):
            assert set(response.json()) == {"file", "rows"}
            assert list(response.json()["rows"]) == ["3"]
    lines = Declaration.objects.get(pk=draft.pk).lines.count()
    assert lines == 2 + 2 + 1  # replaced by two, two added, one of the half-bad sheet added


CELLS = {
    "hs_code": ["19023040", "1902.30.40", "1902 30 40", "2023000", "99999999", "1902304",
                "١٩٠٢٣٠٤٠", "19023040.0", "", "x" * 300],
    "origin_country": ["CN", "cn", "VN", "ZZ", "", "Trung Quốc", "C\u0301N"],
    "number": ["1200", "1,25", "1.25", "1.234", "1,234", "1.234,5", "1 234,5", "-4", "0",
               "0.0000001", "1e5", "NaN", "Infinity", "9" * 40, "1" + "0" * 400, "+7",
               "=2*5", "'=2*5", "١٢", "1\u00a0234,5", ".5", "5.", "--1", ""],
    "unit": ["", "KGM", "kgm", "LTR", "UNT", "chiếc"],
    "yes_no": ["", "có", "không", "x", "yes", "no", "1", "0", "true", "có lẽ"],
}


def _cell(draw, column: str):
    from hypothesis import strategies as st

    pool = {"quantity": "number", "unit_price": "number", "line_value": "number",
            "preferential_claimed": "yes_no"}.get(column, column)
    known = CELLS.get(pool, [""])
    text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
    return draw(st.one_of(st.sampled_from(known), text,
                          st.integers(-10**20, 10**20).map(str),
                          st.floats(allow_nan=True, allow_infinity=True).map(repr)))


@pytest.mark.django_db
def test_lines_import_never_fails_on_any_cell(declarant_a):
    """Any cell content in a valid sheet, CSV or XLSX (numbers as numbers or text): 200 or a
    400 naming rows, as the schema says; never a 5xx."""
    from hypothesis import given
    from hypothesis import strategies as st

    from declarations.spreadsheet import COLUMNS
    from declarations.testing import declaration_make

    draft = declaration_make(state="draft", user=declarant_a, lines=1)

    @st.composite
    def sheets(draw):
        rows = draw(st.integers(1, 4))
        kind = draw(st.sampled_from(["csv", "xlsx"]))
        cells = [[_cell(draw, column.key) for column in COLUMNS] for _ in range(rows)]
        if kind == "xlsx" and draw(st.booleans()):  # numbers typed as numbers in Excel
            cells = [[_as_number(value) for value in row] for row in cells]
        return kind, cells

    @given(sheet=sheets(), valid_only=st.booleans())
    @FUZZ
    def fuzz(sheet, valid_only):
        kind, cells = sheet
        file = _sheet_csv(cells) if kind == "csv" else _sheet_xlsx(cells)
        response = _import(declarant_a, draft.pk,
                           {"file": file, "valid_only": valid_only, "replace": True})
        assert response.status_code in (200, 400), (response.status_code, response.text[:300])

    fuzz()


def _as_number(value: str):
    try:
        number = float(value)
    except ValueError:
        return value
    return number if number == number and abs(number) != float("inf") else value
