"""The inspection's sections of the declaration page: for officers, the check in progress
with a link to its workbench; for the enterprise, what it may know (the issues to fix, the
inspection's place and time, the outcome)."""

from .selectors import clock_of, enterprise_view_of


def officer_panel_visible(user, declaration) -> bool:
    return getattr(user, "is_officer", False)


def officer_panel_context(request, declaration) -> dict:
    checks = list(declaration.checks.select_related("officer", "team").order_by("-opened_at"))
    return {"checks": [(check, clock_of(check)) for check in checks]}


def enterprise_panel_visible(user, declaration) -> bool:
    return getattr(user, "is_declarant", False)


def enterprise_panel_context(request, declaration) -> dict:
    return enterprise_view_of(declaration)
