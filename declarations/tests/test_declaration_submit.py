from decimal import Decimal

import pytest

from declarations import services
from declarations.choices import DeclarationState
from declarations.models import DeclarationEvent

pytestmark = pytest.mark.django_db


def test_draft_has_duties_at_todays_rates(make_declaration):
    declaration = make_declaration()
    assert declaration.state == DeclarationState.DRAFT and declaration.number is None
    assert declaration.exchange_rate == Decimal("26180")
    lines = declaration.lines.all()
    assert declaration.customs_value_vnd == sum(line.customs_value_vnd for line in lines)
    assert declaration.total_duty_vnd > 0


def test_without_certificate_of_origin_lines_pay_mfn(make_declaration):
    declaration = make_declaration()
    assert {line.duty_schedule for line in declaration.lines.all()} == {"MFN"}


def test_form_e_gives_the_acfta_rate(make_declaration):
    mfn = make_declaration()
    acfta = make_declaration(preferential=True)
    assert {line.duty_schedule for line in acfta.lines.all()} == {"ACFTA"}
    assert acfta.import_duty_vnd < mfn.import_duty_vnd


def test_submission_issues_a_12_digit_number_and_an_event(make_declaration, declarant_a):
    declaration = make_declaration()
    services.declaration_submit(declaration=declaration, user=declarant_a)
    declaration.refresh_from_db()
    assert declaration.state == DeclarationState.SUBMITTED
    assert len(declaration.number) == 12 and declaration.number.startswith("10")
    assert declaration.number.endswith("0")
    event = DeclarationEvent.objects.get(declaration=declaration)
    assert (event.from_state, event.to_state, event.actor) == ("draft", "submitted", declarant_a)


def test_export_numbers_start_with_30(make_declaration, declarant_a):
    declaration = make_declaration(flow="export", regime="B11")
    services.declaration_submit(declaration=declaration, user=declarant_a)
    declaration.refresh_from_db()
    assert declaration.number.startswith("30")


def test_amendment_counts_in_the_12th_digit(make_declaration, declarant_a):
    from declarations.testing import declaration_payload, parse

    declaration = make_declaration(state="submitted")
    first11 = declaration.number[:11]
    data = parse(declaration_payload(invoice_number="HX-2026-118A"))
    services.declaration_amend(declaration=declaration, user=declarant_a, data=data,
                               reason="Sửa số hóa đơn")
    declaration.refresh_from_db()
    assert declaration.number == first11 + "1"
    assert declaration.amendment_count == 1
    assert declaration.invoice_number == "HX-2026-118A"
    assert declaration.events.filter(from_state="submitted", to_state="submitted").exists()


def test_payment_reduces_what_is_outstanding(make_declaration, declarant_a):
    declaration = make_declaration(state="submitted")
    services.declaration_pay(declaration=declaration, user=declarant_a,
                             amount_vnd=declaration.total_duty_vnd, reference="KB-0001-2026")
    declaration.refresh_from_db()
    assert declaration.outstanding_vnd == 0 and declaration.duties_settled
