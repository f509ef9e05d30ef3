import pytest

from declarations.testing import declaration_make
from inspection.testing import crew_make


@pytest.fixture
def crew(reference_data):
    """GSKT1 (Bac Luan I and II, Ka Long; the default declaration's gate MCBL1)."""
    return crew_make("GSKT1", prefix="t1")


@pytest.fixture
def crew2(reference_data):
    """GSKT2 (Km3+4, Van Gia, Dan Tien, Po Hen)."""
    return crew_make("GSKT2", prefix="t2")


@pytest.fixture
def make(declarant_a):
    """make("yellow", lines=3, user=...): a declaration in a state, through the services."""

    def build(state="yellow", **kwargs):
        kwargs.setdefault("user", declarant_a)
        return declaration_make(state=state, **kwargs)

    return build


@pytest.fixture(autouse=True)
def _rates(request):
    """Every database test here has this week's customs exchange rates."""
    from declarations.testing import publish_rates_for

    publish_rates_for(request)
