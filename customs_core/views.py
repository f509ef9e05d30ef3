from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone

from .choices import Role
from .filters import TariffLineFilterSet
from .models import TariffLine
from .selectors import home_figures, tariff_lines_search, tariff_rate_in_force

HOME_TEMPLATES = {
    Role.ENTERPRISE: "customs_core/home_enterprise.html",
    Role.DOC_CHECK: "customs_core/home_doc_check.html",
    Role.INSPECTION: "customs_core/home_inspection.html",
    Role.RISK: "customs_core/home_risk.html",
    Role.TEAM_LEADER: "customs_core/home_team_leader.html",
    Role.BRANCH_LEADER: "customs_core/home_branch_leader.html",
    Role.ADMIN: "customs_core/home_admin.html",
    Role.AUDITOR: "audit/home_auditor.html",
}

# Later apps contribute cards to a role's home page: name -> callable(request) -> dict.
HOME_WIDGETS: dict[str, list] = {role: [] for role in Role.values}


@login_required
def home(request):
    user = request.user
    today = timezone.localdate()
    context = {
        "today": today,
        "widgets": [widget(request) for widget in HOME_WIDGETS.get(user.role, [])],
        **home_figures(today),
    }
    if user.is_declarant:
        enterprise = user.enterprise
        context["enterprise"] = enterprise
        context["registration_block"] = enterprise.registration_block(today)
    return render(request, HOME_TEMPLATES[user.role], context)


@login_required
def tariff_browser(request):
    """Search the tariff by HS code prefix or words; htmx swaps only the results."""
    filterset = TariffLineFilterSet(request.GET or None, queryset=tariff_lines_search())
    if not filterset.is_bound:
        lines = filterset.queryset
    else:
        lines = filterset.qs if filterset.is_valid() else TariffLine.objects.none()
    page = Paginator(lines, 25).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [(line, tariff_rate_in_force(line, today)) for line in page]
    template = ("customs_core/_tariff_results.html" if request.headers.get("HX-Request")
                else "customs_core/tariff_browser.html")
    return render(request, template, {"filter": filterset, "page": page, "rows": rows,
                                      "query": request.GET.get("q", "")})
