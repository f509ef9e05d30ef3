import pytest

from declarations import services
from declarations.testing import declaration_payload, parse, pdf_file, publish_rates


@pytest.fixture(autouse=True)
def _rates(request):
    """Every database test of this app has this week's exchange rates."""
    for name in ("transactional_db", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            request.getfixturevalue("reference_data")
            publish_rates()
            return


@pytest.fixture
def make_declaration(declarant_a):
    """make_declaration(state="draft"|"submitted", user=..., preferential=..., **payload)."""

    def make(*, user=None, state="draft", preferential=False, **overrides):
        user = user or declarant_a
        data = parse(declaration_payload(preferential=preferential, **overrides))
        documents = ([{"doc_type": "certificate_of_origin", "co_form": "E",
                       "reference": "E26VN0001", "file": pdf_file()}] if preferential else [])
        declaration = services.declaration_create_draft(user=user, data=data,
                                                        documents=documents)
        if state == "submitted":
            declaration = services.declaration_submit(declaration=declaration, user=user)
        declaration.refresh_from_db()
        return declaration

    return make
