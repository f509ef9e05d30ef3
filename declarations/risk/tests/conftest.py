"""make_declaration and the personas are in the root conftest.py."""

import pytest

from declarations.testing import publish_rates_for


@pytest.fixture(autouse=True)
def _rates(request):
    """Every database test here has this week's customs exchange rates."""
    publish_rates_for(request)
