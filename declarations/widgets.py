"""Cards the declarations app adds to role home pages (customs_core.views.HOME_WIDGETS)."""

from .selectors import declarations_summary_for


def my_declarations_widget(request) -> dict:
    """The declarant's latest declarations and what is still owed."""
    return {"template": "declarations/_widget_my_declarations.html",
            **declarations_summary_for(request.user)}
