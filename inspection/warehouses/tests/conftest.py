import pytest

from customs_core.testing.factories import DeclarantFactory, UserFactory


@pytest.fixture(autouse=True)
def _rates(request):
    """Every database test here has this week's customs exchange rates."""
    from declarations.testing import publish_rates_for

    publish_rates_for(request)


@pytest.fixture
def supervisor(reference_data):
    return UserFactory(username="wh_inspector", role="inspection")


@pytest.fixture
def operator_user(reference_data):
    """A user of the enterprise that operates 20BBW01 (from offices.json)."""
    from customs_core.models import BondedWarehouse

    return DeclarantFactory(username="wh_operator",
                            enterprise=BondedWarehouse.objects.get(code="20BBW01").operator)
