"""The personas are in the root conftest.py; here the auditor, and a declaration routed by
the risk engine (it has an assessment to show)."""

import pytest

from customs_core.testing.factories import UserFactory
from declarations.testing import publish_rates_for


@pytest.fixture(autouse=True)
def _rates(request):
    """Every database test here has this week's customs exchange rates."""
    publish_rates_for(request)


@pytest.fixture
def auditor(reference_data):
    return UserFactory(username="auditor", role="auditor")


@pytest.fixture
def routed(make_declaration):
    """A submitted declaration scored and routed: it has a risk assessment."""
    from declarations.risk.defaults import ruleset_install_defaults
    from declarations.risk.services import declaration_route

    ruleset_install_defaults()
    declaration = make_declaration(state="submitted")
    declaration_route(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    assert declaration.assessments.exists()
    return declaration
