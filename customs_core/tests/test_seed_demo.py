import pytest
from django.core.management import call_command

from customs_core.choices import Role
from customs_core.models import Enterprise, ExchangeRate, User

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_one_account_per_role(reference_data):
    call_command("seed_demo", verbosity=0)
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    assert User.objects.get(username="declarant").enterprise is not None


def test_seed_demo_twice_changes_nothing(reference_data):
    call_command("seed_demo", verbosity=0)
    counts = (User.objects.count(), Enterprise.objects.count(), ExchangeRate.objects.count())
    call_command("seed_demo", verbosity=0)
    assert counts == (User.objects.count(), Enterprise.objects.count(),
                      ExchangeRate.objects.count())


def test_demo_enterprises_have_valid_tax_codes_and_one_is_blocked(reference_data):
    call_command("seed_demo", verbosity=0)
    for enterprise in Enterprise.objects.all():
        enterprise.full_clean()
    from django.utils import timezone

    blocks = {e.registration_block(timezone.localdate()) for e in Enterprise.objects.all()}
    assert {"enterprise_suspended", "tax_debt_overdue"} <= blocks
