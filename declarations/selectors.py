"""Reads of the declarations app, always scoped to the acting user."""

from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Count, F, Prefetch, QuerySet
from django.http import Http404

from customs_core import reference_cache
from customs_core.models import BondedWarehouse, BorderGate, CustomsOffice, TariffLine, User

from .choices import DeclarationState
from .models import Declaration, DeclarationEvent, Document, GoodsLine, Violation

HS_USAGE_DECLARATIONS = 2000  # the enterprise's latest declarations counted for its habits
HS_USAGE_SECONDS = 600


def declarations_visible_to(user: User) -> QuerySet[Declaration]:
    """An enterprise sees its own declarations; officers see the whole branch's."""
    queryset = Declaration.objects.select_related("enterprise")
    if not user.is_authenticated:
        return queryset.none()
    if user.is_officer:
        return queryset
    return queryset.filter(enterprise_id=user.enterprise_id)


def with_reference_rows(declarations: Iterable[Declaration]) -> list[Declaration]:
    """Attach regime, places, country and currency from the in-process reference cache.

    Joining these eight small tables in SQL cost more in PostgreSQL's planner (~8 ms for a
    nine-way join) than the whole rest of a detail request.
    """
    ref = reference_cache.tables()
    declarations = list(declarations)
    for d in declarations:
        d.regime = ref.regimes.get(d.regime_id) or d.regime
        d.office = ref.row(CustomsOffice, d.office_id) or d.office
        d.border_gate = ref.row(BorderGate, d.border_gate_id) or d.border_gate
        d.trading_country = ref.countries.get(d.trading_country_id) or d.trading_country
        d.currency = ref.currencies.get(d.currency_id) or d.currency
        if d.bonded_warehouse_id:
            d.bonded_warehouse = ref.row(BondedWarehouse, d.bonded_warehouse_id) or \
                d.bonded_warehouse
        for line in getattr(d, "_prefetched_objects_cache", {}).get("lines", []):
            line.tariff_line = ref.row(TariffLine, line.tariff_line_id) or line.tariff_line
            line.origin_country = ref.countries.get(line.origin_country_id) or \
                line.origin_country
    return declarations


def _pk(value) -> int:
    try:
        return int(value)
    except (ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def declaration_get_for(user: User, pk) -> Declaration:
    """The bare declaration row (with its enterprise) if the user may see it, or 404: what a
    write starts from."""
    try:
        return declarations_visible_to(user).get(pk=_pk(pk))
    except Declaration.DoesNotExist as exc:
        raise Http404 from exc


def declaration_detail_for(user: User, pk) -> Declaration:
    """One declaration with lines, documents, events and payments for rendering (a constant
    number of queries), or 404."""
    queryset = declarations_visible_to(user).select_related("declarant").prefetch_related(
        "lines",
        Prefetch("documents", queryset=Document.objects.select_related("uploaded_by")),
        Prefetch("events", queryset=DeclarationEvent.objects.select_related("actor")),
        "payments")
    try:
        declaration = queryset.get(pk=_pk(pk))
    except Declaration.DoesNotExist as exc:
        raise Http404 from exc
    return with_reference_rows([declaration])[0]


def document_get_for(user: User, *, declaration_id, document_id) -> Document:
    """A document of a declaration the user may see, or 404 (another enterprise's, another
    declaration's, or missing: all alike)."""
    try:
        return Document.objects.get(pk=_pk(document_id), declaration_id=_pk(declaration_id),
                                    declaration__in=declarations_visible_to(user))
    except Document.DoesNotExist as exc:
        raise Http404 from exc


def channel_counts_since(since) -> dict[str, int]:
    """Declarations routed since `since`, by channel (the whole branch: officers' figures)."""
    return dict(Declaration.objects.filter(submitted_at__gte=since).exclude(channel="")
                .values_list("channel").annotate(n=Count("id")).order_by())


def declarations_summary_for(user: User, *, limit: int = 5) -> dict:
    """What needs a declarant: drafts to finish, declarations waiting for payment (with what
    is owed), recent clearances, with the counts behind each list."""
    mine = declarations_visible_to(user)
    drafts = mine.filter(state=DeclarationState.DRAFT)
    unpaid = (mine.exclude(state__in=[DeclarationState.DRAFT, DeclarationState.CANCELLED])
              .filter(paid_vnd__lt=F("total_duty_vnd")))
    cleared = mine.filter(state__in=[DeclarationState.CLEARED, DeclarationState.GATE_OUT])
    return {"drafts": with_reference_rows(drafts.order_by("-updated_at")[:limit]),
            "drafts_count": drafts.count(),
            "unpaid": with_reference_rows(unpaid.order_by("submitted_at")[:limit]),
            "unpaid_count": unpaid.count(),
            "cleared": with_reference_rows(cleared.order_by("-cleared_at")[:limit])}


def enterprise_violations_since(enterprise_ids, since) -> dict[int, list]:
    """When each enterprise's violations were found, since `since` (any declaration state,
    any check: document check, inspection, post-clearance audit). Risk's compliance history
    reads it; served by the (enterprise, found_at) index."""
    found: dict[int, list] = {}
    for enterprise_id, at in (Violation.objects.filter(enterprise_id__in=list(enterprise_ids),
                                                       found_at__gte=since)
                              .order_by().values_list("enterprise_id", "found_at")):
        found.setdefault(enterprise_id, []).append(at)
    return found


def hs_usage_for(user: User) -> dict[str, int]:
    """How often the user's enterprise declared each tariff line (its latest
    HS_USAGE_DECLARATIONS declarations, drafts and cancelled ones left out): what ranks the
    HS suggestions. Cached a few minutes per enterprise; officers have no habits."""
    if not user.is_authenticated or user.is_officer or not user.enterprise_id:
        return {}
    key = f"hs-usage:{user.enterprise_id}"
    usage = cache.get(key)
    if usage is None:
        latest = (Declaration.objects.filter(enterprise_id=user.enterprise_id)
                  .exclude(state__in=[DeclarationState.DRAFT, DeclarationState.CANCELLED])
                  .order_by("-created_at").values("pk")[:HS_USAGE_DECLARATIONS])
        ref = reference_cache.tables()
        usage = {}
        for tariff_id, n in (GoodsLine.objects.filter(declaration__in=latest).order_by()
                             .values_list("tariff_line_id").annotate(n=Count("id"))):
            line = ref.row(TariffLine, tariff_id)
            if line is not None:
                usage[line.hs_code] = n
        cache.set(key, usage, HS_USAGE_SECONDS)
    return usage


def hs_suggestions_for(user: User, query: str, *, limit: int = 10) -> list[dict]:
    """Tariff lines for what the declarant typed, with today's rates and how often the
    enterprise declared each (the goods-line form and the API)."""
    from django.utils import timezone

    from customs_core.selectors import tariff_rate_in_force
    from customs_core.tariff_search import tariff_suggest

    today = timezone.localdate()
    tariff = reference_cache.tables().tariff_lines
    found = []
    for suggestion in tariff_suggest(query, limit=limit, usage=hs_usage_for(user)):
        line = tariff[suggestion.hs_code]
        found.append({"hs_code": line.hs_code, "description_vi": line.description_vi,
                      "description_en": line.description_en, "unit": line.unit,
                      "description": line.description, "line": line,
                      "declared_before": suggestion.declared_before,
                      "rates": tariff_rate_in_force(line, today)})
    return found
