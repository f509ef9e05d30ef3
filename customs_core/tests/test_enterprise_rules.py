from datetime import date, timedelta
from decimal import Decimal

import pytest

from customs_core.choices import EnterpriseStatus
from customs_core.testing.factories import EnterpriseFactory

TODAY = date(2026, 11, 25)
pytestmark = pytest.mark.django_db


def test_active_enterprise_without_debt_may_register():
    assert EnterpriseFactory().registration_block(TODAY) is None


@pytest.mark.parametrize("status", [EnterpriseStatus.SUSPENDED, EnterpriseStatus.DISSOLVED])
def test_suspended_or_dissolved_enterprise_is_blocked(status):
    assert EnterpriseFactory(status=status).registration_block(TODAY) == f"enterprise_{status}"


def test_tax_debt_overdue_90_days_still_registers():
    firm = EnterpriseFactory(tax_debt_vnd=Decimal(5_000_000),
                             tax_debt_overdue_since=TODAY - timedelta(days=90))
    assert firm.registration_block(TODAY) is None


def test_tax_debt_overdue_91_days_blocks_registration():
    firm = EnterpriseFactory(tax_debt_vnd=Decimal(5_000_000),
                             tax_debt_overdue_since=TODAY - timedelta(days=91))
    assert firm.registration_block(TODAY) == "tax_debt_overdue"


def test_paid_off_debt_does_not_block_however_old():
    firm = EnterpriseFactory(tax_debt_vnd=Decimal(0),
                             tax_debt_overdue_since=TODAY - timedelta(days=400))
    assert firm.registration_block(TODAY) is None
