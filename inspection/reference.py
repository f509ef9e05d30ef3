"""The branch's two Supervision and Inspection Teams and what each covers (border gates and
inspection sites), from customs_core/data/offices.json; run by load_reference_data."""

import json

from django.db import transaction

from customs_core.models import BorderGate, InspectionSite
from customs_core.reference_data import DATA_DIR

from .models import Team


@transaction.atomic
def teams_load() -> int:
    """Upsert the teams by code; their gates and sites are set to the file's (idempotent).
    Members and leaders are people, entered on the admin or team pages, never here."""
    rows = json.loads((DATA_DIR / "offices.json").read_text(encoding="utf-8"))["teams"]
    for row in rows:
        team, _created = Team.objects.update_or_create(
            code=row["code"], defaults={"name_vi": row["name_vi"], "name_en": row["name_en"]})
        team.sites.set(InspectionSite.objects.filter(code__in=row["site_codes"]))
        team.border_gates.set(BorderGate.objects.filter(code__in=row["border_gate_codes"]))
    return len(rows)
