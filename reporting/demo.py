"""Reporting in the demo: the rollups of the whole seeded history (the bulk load wrote a stale
mark per row; a rebuild is cheaper than refreshing them one batch at a time), and the budget
revenue targets of last year and this year, set as a branch leader would: last year's at what
was collected, this year's ten percent above it, so the dashboard's target tile has something
to measure."""

from decimal import Decimal

from django.db.models import Max, Sum
from django.utils import timezone

from customs_core.choices import Role
from customs_core.db_routers import primary
from customs_core.models import CustomsOffice, User

from .models import RevenueTarget, Rollup, StaleDeclaration
from .rollups import history_span, rollups_rebuild

ROUND = Decimal(1_000_000_000)  # targets in whole billions of VND


def seed(*, options: dict, progress) -> dict[str, int]:
    span = history_span()
    if span is None:
        return {"rollup_rows": 0, "revenue_targets": 0}
    last_mark = StaleDeclaration.objects.aggregate(m=Max("id"))["m"]
    if last_mark is not None:  # the rebuild below covers them; later marks stay for the task
        StaleDeclaration.objects.filter(id__lte=last_mark).delete()
    rollups_rebuild(*span, progress=progress)
    with primary():  # read back what was just written (not a replica's lagging copy)
        return {"rollup_rows": Rollup.objects.count(), "revenue_targets": _targets()}


def _targets() -> int:
    leader = User.objects.filter(role=Role.BRANCH_LEADER).order_by("pk").first()
    if leader is None:
        return 0
    year = timezone.localdate().year
    count = 0
    for office in CustomsOffice.objects.all():
        collected = Rollup.objects.filter(office=office, day__year=year - 1).aggregate(
            s=Sum("collected_vnd"))["s"]
        if not collected:
            continue
        base = max(ROUND, (Decimal(collected) / ROUND).quantize(Decimal(1)) * ROUND)
        for target_year, amount in ((year - 1, base), (year, base * Decimal("1.1"))):
            RevenueTarget.objects.get_or_create(
                office=office, year=target_year,
                defaults={"amount_vnd": amount.quantize(Decimal(1)), "updated_by": leader})
            count += 1
    return count
