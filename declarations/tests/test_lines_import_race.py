"""Spreadsheet imports into one draft at once (real PostgreSQL, threads): each waits for the
draft's row lock, reads the lines the one before wrote, and the 50-line limit holds."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from customs_core.testing.factories import DeclarantFactory, EnterpriseFactory
from customs_core.testing.services import require_postgresql
from declarations import services
from declarations.models import Declaration
from declarations.testing import DeclarationFactory, publish_rates

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_ten_imports_of_ten_lines_into_a_three_line_draft_land_four(reference_data):
    require_postgresql()
    publish_rates()
    owner = DeclarantFactory(username="race_importer", enterprise=EnterpriseFactory())
    draft = DeclarationFactory(state="draft", user=owner)
    batch = [{"hs_code": "19023040", "description": f"Mì {n}", "origin_country": "CN",
              "quantity": Decimal(10), "unit_price": Decimal("1.5"), "line_value": None,
              "preferential_claimed": False, "row": n + 2} for n in range(10)]

    def import_once(_n):
        try:
            services.declaration_lines_import(declaration=draft, user=owner, lines=batch)
            return "imported"
        except ValidationError:
            return "refused"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = sorted(pool.map(import_once, range(10)))
    assert outcomes == ["imported"] * 4 + ["refused"] * 6  # 3 + 4 x 10 = 43; a fifth: 53
    draft = Declaration.objects.get(pk=draft.pk)
    numbers = list(draft.lines.order_by("line_no").values_list("line_no", flat=True))
    assert numbers == list(range(1, 44))
    assert draft.total_invoice_value == sum(line.line_value for line in draft.lines.all())
    assert draft.version == 5
