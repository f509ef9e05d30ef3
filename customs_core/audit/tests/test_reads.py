"""Reads of confidential data by an officer write one audit row each; an enterprise reading
its own declaration writes none."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from customs_core.audit.choices import AuditAction
from customs_core.audit.models import AuditEvent
from declarations.documents import document_attach
from declarations.testing import pdf_file

pytestmark = pytest.mark.django_db


def test_opening_a_declaration_as_an_officer_writes_one_row(client, doc_checker,
                                                            make_declaration):
    declaration = make_declaration(state="submitted")
    before = AuditEvent.objects.count()
    client.force_login(doc_checker)
    response = client.get(reverse("declarations:detail", args=[declaration.pk]),
                          HTTP_USER_AGENT="Mozilla/5.0 test", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor, event.actor_username, event.actor_role) == (
        AuditAction.DECLARATION_VIEWED, doc_checker, "doc_checker", "doc_check")
    assert (event.object_type, event.object_id, event.object_label) == (
        "declarations.declaration", str(declaration.pk), declaration.number)
    assert (event.ip_address, event.user_agent) == ("10.1.2.3", "Mozilla/5.0 test")


def test_the_declarations_enterprise_opening_it_writes_nothing(client, declarant_a,
                                                               make_declaration):
    declaration = make_declaration(state="submitted")
    before = AuditEvent.objects.count()
    client.force_login(declarant_a)
    assert client.get(reverse("declarations:detail", args=[declaration.pk])).status_code == 200
    assert AuditEvent.objects.count() == before


def test_the_audit_costs_a_detail_view_one_insert_and_no_read(client, leader, make_declaration):
    declaration = make_declaration(state="submitted")
    client.force_login(leader)
    client.get(reverse("declarations:detail", args=[declaration.pk]))  # warm the caches
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("declarations:detail", args=[declaration.pk]))
    touching = [q["sql"] for q in queries if "audit_auditevent" in q["sql"]]
    assert len(touching) == 1 and touching[0].startswith("INSERT"), touching


def test_the_api_detail_as_an_officer_writes_one_row_and_as_the_enterprise_none(
        api_as, inspector, declarant_a, make_declaration):
    declaration = make_declaration(state="submitted")
    before = AuditEvent.objects.count()
    assert api_as(declarant_a).get(f"/api/v1/declarations/{declaration.pk}/").status_code == 200
    assert AuditEvent.objects.count() == before
    response = api_as(inspector).get(f"/api/v1/declarations/{declaration.pk}/",
                                     HTTP_USER_AGENT="customs-client/1.0")
    assert response.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor, event.object_id, event.user_agent) == (
        AuditAction.DECLARATION_VIEWED, inspector, str(declaration.pk), "customs-client/1.0")


def test_a_foreign_or_missing_declaration_writes_nothing(api_as, declarant_b, doc_checker,
                                                         make_declaration):
    declaration = make_declaration(state="submitted")
    before = AuditEvent.objects.count()
    assert api_as(declarant_b).get(f"/api/v1/declarations/{declaration.pk}/").status_code == 404
    assert api_as(doc_checker).get("/api/v1/declarations/999999999/").status_code == 404
    assert AuditEvent.objects.count() == before


@pytest.fixture
def attached(make_declaration):
    declaration = make_declaration(state="submitted")
    document = document_attach(declaration=declaration, user=declaration.declarant,
                               doc_type="invoice", file=pdf_file("hoa-don.pdf"))
    return declaration, document


def test_downloading_a_document_as_an_officer_writes_one_row(client, doc_checker, attached):
    declaration, document = attached
    before = AuditEvent.objects.count()
    client.force_login(doc_checker)
    response = client.get(reverse("declarations:document-file",
                                  args=[declaration.pk, document.pk]))
    assert response.status_code == 200
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor, event.object_id) == (
        AuditAction.DOCUMENT_VIEWED, doc_checker, str(declaration.pk))
    assert event.details == {"document": document.pk, "type": "invoice", "name": "hoa-don.pdf"}


def test_downloading_a_document_through_the_api_likewise(api_as, leader, declarant_a,
                                                         attached):
    declaration, document = attached
    url = f"/api/v1/declarations/{declaration.pk}/documents/{document.pk}/file/"
    before = AuditEvent.objects.count()
    assert api_as(declarant_a).get(url).status_code == 200
    assert AuditEvent.objects.count() == before
    assert api_as(leader).get(url).status_code == 200
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("id").action == AuditAction.DOCUMENT_VIEWED


def test_reading_the_risk_assessment_through_the_api_writes_one_row(api_as, risk_officer,
                                                                    routed):
    before = AuditEvent.objects.count()
    response = api_as(risk_officer).get(f"/api/v1/declarations/{routed.pk}/risk/")
    assert response.status_code == 200 and response.json()
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor, event.object_id) == (
        AuditAction.RISK_ASSESSMENT_VIEWED, risk_officer, str(routed.pk))
    assert event.details == {"assessments": list(routed.assessments.values_list("pk",
                                                                               flat=True))}


def test_the_page_showing_the_assessment_records_it_in_its_one_row(client, team_leader,
                                                                   routed):
    """The risk panel is part of the declaration page: one row, which says that the page
    showed the assessment; the search for risk assessment reads finds it."""
    before = AuditEvent.objects.count()
    client.force_login(team_leader)
    client.get(reverse("declarations:detail", args=[routed.pk]))
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == AuditAction.DECLARATION_VIEWED
    assert event.details == {"risk_assessment": routed.assessments.get().pk}


def test_a_page_without_an_assessment_records_none(client, team_leader, make_declaration):
    declaration = make_declaration(state="submitted")  # not routed yet
    client.force_login(team_leader)
    client.get(reverse("declarations:detail", args=[declaration.pk]))
    assert AuditEvent.objects.latest("id").details == {}


def test_printing_a_declaration_as_an_officer_is_recorded(client, api_as, doc_checker,
                                                         declarant_a, make_declaration):
    declaration = make_declaration(state="submitted")
    before = AuditEvent.objects.count()
    api_as(declarant_a).get(f"/api/v1/declarations/{declaration.pk}/print/")
    assert AuditEvent.objects.count() == before
    client.force_login(doc_checker)
    assert client.get(reverse("declarations:print", args=[declaration.pk])).status_code == 200
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.actor, event.details) == (
        AuditAction.DECLARATION_PRINTED, doc_checker, {"format": "pdf"})
