"""The menu each role sees. Later apps add entries by registering them here."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .roles import ADMIN_ROLES, ALL_ROLES, OFFICER_ROLES


@dataclass(frozen=True)
class MenuItem:
    label: str
    url_name: str
    roles: frozenset[str]


MENU: list[MenuItem] = [
    MenuItem(_("Home"), "home", ALL_ROLES),
    MenuItem(_("Tariff"), "tariff-browser", ALL_ROLES),
    MenuItem(_("API docs"), "api-docs", frozenset({Role.ENTERPRISE, Role.ADMIN, Role.RISK})),
    MenuItem(_("Administration"), "admin:index", ADMIN_ROLES),
]


def register(item: MenuItem, *, before: str | None = None) -> None:
    """Add a menu entry (apps call this from AppConfig.ready)."""
    if any(existing.url_name == item.url_name for existing in MENU):
        return
    names = [existing.url_name for existing in MENU]
    MENU.insert(names.index(before) if before in names else len(MENU), item)


@dataclass(frozen=True)
class TopbarItem:
    """Something every page shows beside the user's name (the partnership app's bell): a
    template and the context it needs for this request (None: nothing shown)."""

    key: str
    template: str
    context: object  # Callable[[request], dict | None]


TOPBAR: list[TopbarItem] = []


def register_topbar(item: TopbarItem) -> None:
    TOPBAR[:] = [existing for existing in TOPBAR if existing.key != item.key] + [item]


def topbar_for(request) -> list[dict]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    shown = []
    for item in TOPBAR:
        context = item.context(request)
        if context is not None:
            shown.append({"template": item.template, **context})
    return shown


def menu_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = []
    for item in MENU:
        if user.role not in item.roles:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": item.label, "url": url, "url_name": item.url_name})
    return items


__all__ = ["ALL_ROLES", "MenuItem", "OFFICER_ROLES", "TopbarItem", "menu_for", "register",
           "register_topbar", "topbar_for"]
