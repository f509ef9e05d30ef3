"""New from this declaration: a draft that differs from its source exactly in the fields the
issue lists (numbers, dates, duties, states), with today's rates and exchange rate."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from declarations import services
from declarations.choices import DeclarationState as S
from declarations.models import Declaration
from declarations.services import COPIED_HEADER, COPIED_LINE
from declarations.testing import USD_RATE, declaration_make

pytestmark = pytest.mark.django_db

# Every concrete field of a declaration is either copied or named here with why not.
NOT_COPIED = {"id", "number", "invoice_number", "invoice_date", "containers", "vehicles",
              "state", "channel", "version", "amendment_count", "exchange_rate",
              "customs_value_vnd", "import_duty_vnd", "export_duty_vnd", "additional_duty_vnd",
              "sct_vnd", "ept_vnd", "vat_vnd", "total_duty_vnd", "paid_vnd", "created_at",
              "updated_at", "submitted_at", "cleared_at", "post_clearance_audit",
              "documents_expected", "declarant", "enterprise"}


@pytest.fixture
def source(declarant_a):
    declaration = declaration_make(state="cleared", user=declarant_a, preferential=True,
                                   vehicles=["14C-123.45"])
    return Declaration.objects.get(pk=declaration.pk)


@pytest.fixture
def copy(source, declarant_a):
    copied = services.declaration_copy(declaration=source, user=declarant_a)
    return Declaration.objects.get(pk=copied.pk)


def test_every_field_is_either_copied_or_named_as_not_copied():
    fields = {f.name for f in Declaration._meta.concrete_fields}
    assert fields == set(COPIED_HEADER) | NOT_COPIED
    assert not set(COPIED_HEADER) & NOT_COPIED


@pytest.mark.parametrize("field", COPIED_HEADER)
def test_header_field_is_copied(source, copy, field):
    assert getattr(copy, field) == getattr(source, field)


def test_the_copy_is_a_new_draft_without_number_channel_or_history(source, copy):
    assert source.state == S.CLEARED and source.number and source.channel
    assert (copy.state, copy.number, copy.channel) == (S.DRAFT, None, "")
    assert (copy.version, copy.amendment_count) == (1, 0)
    assert copy.submitted_at is None and copy.cleared_at is None
    assert copy.paid_vnd == 0 and not copy.post_clearance_audit
    assert copy.events.count() == 0 and copy.payments.count() == 0
    assert copy.created_at > source.created_at


def test_this_shipments_numbers_and_dates_are_not_copied(source, copy):
    assert source.invoice_number and source.vehicles and source.containers
    assert copy.invoice_number == "" and copy.vehicles == [] and copy.containers == []
    assert copy.invoice_date == timezone.localdate() != source.invoice_date


@pytest.mark.parametrize("field", COPIED_LINE + ["tariff_line_id", "unit", "line_no"])
def test_goods_line_field_is_copied(source, copy, field):
    ours = list(copy.lines.order_by("line_no").values_list(field, flat=True))
    theirs = list(source.lines.order_by("line_no").values_list(field, flat=True))
    assert ours == theirs and len(ours) == 3


def test_duties_are_computed_again_at_todays_exchange_rate(source, declarant_a):
    # The source was registered months ago at another week's rate and other duties.
    Declaration.objects.filter(pk=source.pk).update(exchange_rate=Decimal("25000"),
                                                    customs_value_vnd=1, total_duty_vnd=1)
    copied = Declaration.objects.get(pk=services.declaration_copy(
        declaration=Declaration.objects.get(pk=source.pk), user=declarant_a).pk)
    assert copied.exchange_rate == USD_RATE
    assert copied.customs_value_vnd > 1 and copied.total_duty_vnd > 1


def test_documents_metadata_is_copied_as_a_list_to_attach_not_their_files(source, copy):
    doc = source.documents.get()
    assert copy.documents.count() == 0
    assert copy.documents_expected == [{"doc_type": doc.doc_type, "co_form": "E",
                                        "reference": doc.reference}]


def test_a_copy_submits_only_with_an_invoice_number_and_the_listed_documents(copy,
                                                                             declarant_a):
    from customs_core.exceptions import FieldErrors

    with pytest.raises(FieldErrors) as refused:
        services.declaration_submit(declaration=copy, user=declarant_a)
    assert set(refused.value.fields) >= {"invoice_number", "documents"}
    assert Declaration.objects.get(pk=copy.pk).state == S.DRAFT


def test_another_enterprises_declaration_is_404_and_nothing_is_written(api_as, source,
                                                                       declarant_b):
    before = Declaration.objects.count()
    response = api_as(declarant_b).post(f"/api/v1/declarations/{source.pk}/copy/")
    assert response.status_code == 404
    assert Declaration.objects.count() == before


def test_officers_cannot_copy(api_as, source, doc_checker):
    response = api_as(doc_checker).post(f"/api/v1/declarations/{source.pk}/copy/")
    assert response.status_code == 403


def test_api_copy_answers_201_with_the_new_draft_and_replays_with_the_same_key(api_as, source,
                                                                               declarant_a):
    client = api_as(declarant_a)
    first = client.post(f"/api/v1/declarations/{source.pk}/copy/", HTTP_IDEMPOTENCY_KEY="c-1")
    again = client.post(f"/api/v1/declarations/{source.pk}/copy/", HTTP_IDEMPOTENCY_KEY="c-1")
    assert first.status_code == 201 and again.status_code == 201
    body = first.json()
    assert body["state"] == "draft" and body["number"] is None
    assert len(body["lines"]) == 3 and body["documents_expected"][0]["co_form"] == "E"
    assert again.json()["id"] == body["id"]


def test_page_copy_opens_the_new_draft_for_editing(client, source, declarant_a):
    client.force_login(declarant_a)
    response = client.post(f"/declarations/{source.pk}/copy/")
    copy = Declaration.objects.exclude(pk=source.pk).latest("id")
    assert response.status_code == 302 and response.url == f"/declarations/{copy.pk}/edit/"
    page = client.get(f"/declarations/{copy.pk}/")
    assert "E26VN0001" in page.content.decode()


def test_an_expected_document_is_struck_off_or_satisfied_by_an_upload(client, copy,
                                                                      declarant_a):
    from declarations.documents import document_attach
    from declarations.testing import pdf_file

    assert services.documents_missing(copy, []) == copy.documents_expected
    document_attach(declaration=copy, user=declarant_a, doc_type="certificate_of_origin",
                    co_form="E", reference="E26VN0999", file=pdf_file())
    assert services.documents_missing(copy, list(copy.documents.all())) == []
    client.force_login(declarant_a)
    client.post(f"/declarations/{copy.pk}/expected/0/remove/")
    assert Declaration.objects.get(pk=copy.pk).documents_expected == []


def test_a_past_invoice_date_is_not_carried_over_even_from_an_old_declaration(declarant_a):
    old = declaration_make(state="submitted", user=declarant_a,
                           invoice_date=(timezone.localdate() - timedelta(days=30)).isoformat())
    copied = services.declaration_copy(declaration=old, user=declarant_a)
    assert copied.invoice_date == timezone.localdate()
