"""The declaration API: lifecycle, idempotency, 409 on wrong state, 412 on a stale ETag."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from declarations.models import Declaration, DeclarationEvent, IdempotencyKey
from declarations.testing import declaration_payload, pdf_file

pytestmark = pytest.mark.django_db
URL = "/api/v1/declarations/"


def test_enterprise_files_submits_and_pays(api_as, declarant_a):
    client = api_as(declarant_a)
    created = client.post(URL, declaration_payload(), format="json")
    assert created.status_code == 201
    pk = created.json()["id"]
    assert created.json()["state"] == "draft" and len(created.json()["lines"]) == 3
    submitted = client.post(f"{URL}{pk}/submit/")
    assert submitted.status_code == 200 and len(submitted.json()["number"]) == 12
    due = submitted.json()["duties"]["total_vnd"]
    paid = client.post(f"{URL}{pk}/pay/", {"amount_vnd": due, "reference": "KB-2026-000123"},
                       format="json")
    assert paid.status_code == 201
    detail = client.get(f"{URL}{pk}/").json()
    assert detail["paid_vnd"] == due
    assert [(e["from_state"], e["to_state"]) for e in detail["events"]] == [("draft", "submitted")]


def test_detail_lists_duties_documents_and_timeline(api_as, declarant_a, make_declaration):
    declaration = make_declaration(preferential=True, state="submitted")
    body = api_as(declarant_a).get(f"{URL}{declaration.pk}/").json()
    assert {line["duty_schedule"] for line in body["lines"]} == {"ACFTA"}
    assert body["documents"][0]["co_form"] == "E"
    assert body["events"][0]["to_state"] == "submitted"
    assert int(body["duties"]["total_vnd"]) == sum(int(line["total_vnd"]) for line in body["lines"])


def test_duty_preview_writes_nothing(api_as, declarant_a):
    response = api_as(declarant_a).post(f"{URL}duty-preview/",
                                        {**declaration_payload(preferential=True),
                                         "co_forms": ["E"]}, format="json")
    assert response.status_code == 200
    assert {line["duty_schedule"] for line in response.json()["lines"]} == {"ACFTA"}
    assert Declaration.objects.count() == 0


def test_detail_query_count_does_not_grow_with_lines(api_as, declarant_a, make_declaration,
                                                     django_assert_max_num_queries):
    from declarations.testing import LINES

    few = make_declaration(lines=LINES[:1], total_invoice_value="1500")
    many = make_declaration(lines=[dict(LINES[0])] * 40, total_invoice_value="60000")
    client = api_as(declarant_a)
    with django_assert_max_num_queries(20) as few_queries:
        client.get(f"{URL}{few.pk}/")
    with django_assert_max_num_queries(20) as many_queries:
        client.get(f"{URL}{many.pk}/")
    assert len(many_queries.captured_queries) == len(few_queries.captured_queries)


def test_list_query_count_does_not_grow_with_declarations(api_as, declarant_a, make_declaration,
                                                          django_assert_max_num_queries):
    client = api_as(declarant_a)
    make_declaration()
    with django_assert_max_num_queries(20) as one:
        client.get(URL)
    for _ in range(5):
        make_declaration()
    with django_assert_max_num_queries(20) as six:
        client.get(URL)
    assert len(six.captured_queries) == len(one.captured_queries)


@pytest.mark.parametrize("params, expected", [
    ({"state": "submitted"}, 1), ({"state": "draft"}, 1), ({"flow": "export"}, 0),
    ({"regime": "A11"}, 2), ({"hs_code": "1902"}, 2), ({"hs_code": "0810"}, 0),
])
def test_list_filters(api_as, declarant_a, make_declaration, params, expected):
    make_declaration()
    make_declaration(state="submitted")
    assert api_as(declarant_a).get(URL, params).json()["count"] == expected


def test_officer_filters_by_enterprise(api_as, doc_checker, declarant_a, declarant_b,
                                       make_declaration):
    make_declaration(user=declarant_a)
    make_declaration(user=declarant_b)
    body = api_as(doc_checker).get(URL, {"enterprise": declarant_b.enterprise.tax_code}).json()
    assert body["count"] == 1
    assert body["results"][0]["enterprise"] == declarant_b.enterprise.tax_code


# --- Idempotency-Key ------------------------------------------------------------------------
def test_same_key_same_body_replays_the_first_response(api_as, declarant_a):
    client = api_as(declarant_a)
    payload = declaration_payload()
    first = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    again = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="abc-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Declaration.objects.count() == 1


def test_same_key_other_body_is_422(api_as, declarant_a):
    client = api_as(declarant_a)
    client.post(URL, declaration_payload(), format="json", HTTP_IDEMPOTENCY_KEY="abc-2")
    other = client.post(URL, declaration_payload(invoice_number="OTHER"), format="json",
                        HTTP_IDEMPOTENCY_KEY="abc-2")
    assert other.status_code == 422
    assert Declaration.objects.count() == 1


def test_keys_are_per_user(api_as, declarant_a, declarant_b):
    from rest_framework.test import APIClient

    payload = declaration_payload()
    api_as(declarant_a).post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    client_b = APIClient()
    client_b.force_authenticate(declarant_b)
    response = client_b.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201
    assert Declaration.objects.count() == 2


def test_failed_request_leaves_the_key_free_for_a_retry(api_as, declarant_a):
    client = api_as(declarant_a)
    bad = client.post(URL, declaration_payload(regime="B11"), format="json",
                      HTTP_IDEMPOTENCY_KEY="retry-me")
    assert bad.status_code == 400 and not IdempotencyKey.objects.exists()
    good = client.post(URL, declaration_payload(), format="json", HTTP_IDEMPOTENCY_KEY="retry-me")
    assert good.status_code == 201


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_posts_with_one_key_create_one_declaration(declarant_a):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from customs_core.testing.services import require_postgresql
    from declarations.testing import publish_rates

    require_postgresql()
    publish_rates()
    token = Token.objects.create(user=declarant_a).key
    payload = declaration_payload()

    def post(_):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        try:
            response = client.post(URL, payload, format="json", HTTP_IDEMPOTENCY_KEY="race")
            return response.status_code, response.json().get("id")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(post, range(20)))
    assert {status for status, _ in results} == {201}
    assert len({pk for _, pk in results}) == 1
    assert Declaration.objects.count() == 1


# --- 409 and 412 ----------------------------------------------------------------------------
def test_submitting_twice_is_409_with_the_current_state(api_as, declarant_a, make_declaration):
    declaration = make_declaration(state="submitted")
    response = api_as(declarant_a).post(f"{URL}{declaration.pk}/submit/")
    assert response.status_code == 409
    assert response.json()["current_state"] == "submitted"
    assert DeclarationEvent.objects.filter(declaration=declaration).count() == 1


def test_editing_a_submitted_declaration_is_409(api_as, declarant_a, make_declaration):
    declaration = make_declaration(state="submitted")
    response = api_as(declarant_a).put(f"{URL}{declaration.pk}/", declaration_payload(),
                                       format="json")
    assert response.status_code == 409


def test_cancelled_declaration_cannot_be_amended(api_as, declarant_a, make_declaration):
    declaration = make_declaration()
    client = api_as(declarant_a)
    assert client.post(f"{URL}{declaration.pk}/cancel/", {}, format="json").status_code == 200
    response = client.post(f"{URL}{declaration.pk}/amend/",
                           {**declaration_payload(), "reason": "x"}, format="json")
    assert response.status_code == 409


def test_cancelling_a_submitted_declaration_needs_a_reason(api_as, declarant_a,
                                                           make_declaration):
    declaration = make_declaration(state="submitted")
    client = api_as(declarant_a)
    response = client.post(f"{URL}{declaration.pk}/cancel/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    ok = client.post(f"{URL}{declaration.pk}/cancel/", {"reason": "Hủy hợp đồng"},
                     format="json")
    assert ok.status_code == 200 and ok.json()["state"] == "cancelled"


def test_edit_with_current_etag_succeeds_and_bumps_it(api_as, declarant_a, make_declaration):
    declaration = make_declaration()
    client = api_as(declarant_a)
    etag = client.get(f"{URL}{declaration.pk}/")["ETag"]
    response = client.put(f"{URL}{declaration.pk}/", declaration_payload(invoice_number="N2"),
                          format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag
    assert response.json()["invoice_number"] == "N2"


def test_edit_with_stale_etag_is_412_and_changes_nothing(api_as, declarant_a, make_declaration):
    declaration = make_declaration()
    client = api_as(declarant_a)
    stale = client.get(f"{URL}{declaration.pk}/")["ETag"]
    client.put(f"{URL}{declaration.pk}/", declaration_payload(invoice_number="N2"),
               format="json", HTTP_IF_MATCH=stale)
    response = client.put(f"{URL}{declaration.pk}/", declaration_payload(invoice_number="N3"),
                          format="json", HTTP_IF_MATCH=stale)
    assert response.status_code == 412 and response["ETag"] != stale
    declaration.refresh_from_db()
    assert declaration.invoice_number == "N2"


def test_submit_with_stale_etag_is_412(api_as, declarant_a, make_declaration):
    declaration = make_declaration()
    client = api_as(declarant_a)
    stale = client.get(f"{URL}{declaration.pk}/")["ETag"]
    client.put(f"{URL}{declaration.pk}/", declaration_payload(), format="json")
    response = client.post(f"{URL}{declaration.pk}/submit/", HTTP_IF_MATCH=stale)
    assert response.status_code == 412
    declaration.refresh_from_db()
    assert declaration.state == "draft"


def test_officers_may_read_but_not_file(api_as, doc_checker, make_declaration):
    declaration = make_declaration(state="submitted")
    client = api_as(doc_checker)
    assert client.get(f"{URL}{declaration.pk}/").status_code == 200
    assert client.post(URL, declaration_payload(), format="json").status_code == 403
    assert client.post(f"{URL}{declaration.pk}/cancel/", {"reason": "x"},
                       format="json").status_code == 403


def test_document_upload_and_replay(api_as, declarant_a, make_declaration):
    declaration = make_declaration()
    client = api_as(declarant_a)
    body = {"doc_type": "certificate_of_origin", "co_form": "E", "reference": "E26-1",
            "file": pdf_file()}
    first = client.post(f"{URL}{declaration.pk}/documents/", body, format="multipart",
                        HTTP_IDEMPOTENCY_KEY="doc-1")
    body["file"] = pdf_file()
    again = client.post(f"{URL}{declaration.pk}/documents/", body, format="multipart",
                        HTTP_IDEMPOTENCY_KEY="doc-1")
    assert first.status_code == again.status_code == 201
    assert declaration.documents.count() == 1


def test_submitting_a_5_line_declaration_issues_at_most_14_queries(
        api_as, declarant_a, django_assert_max_num_queries):
    from declarations.testing import LINES

    lines = [*LINES, dict(LINES[0], hs_code="08081000"), dict(LINES[1], hs_code="27101943")]
    client = api_as(declarant_a)
    created = client.post(URL, declaration_payload(lines=lines), format="json").json()
    with django_assert_max_num_queries(14):
        response = client.post(f"{URL}{created['id']}/submit/")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "submitted" and len(body["lines"]) == 5
    assert [event["to_state"] for event in body["events"]] == ["submitted"]
    assert body["duties"]["total_vnd"] == created["duties"]["total_vnd"]
