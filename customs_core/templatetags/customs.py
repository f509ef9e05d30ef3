from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from customs_core.money import format_money, format_number

register = template.Library()


@register.filter
def money(amount, currency="VND"):
    """{{ amount|money:"USD" }}"""
    return format_money(amount, currency)


@register.filter
def number(amount):
    return format_number(amount)


@register.filter
def percent(rate):
    if rate is None:
        return "—"
    return f"{format_number(rate)}%"


@register.filter
def minutes(value):
    """A duration in minutes as hours and minutes ("2 h 05", "45 min"), in the page's language."""
    try:
        total = max(int(value), 0)
    except (TypeError, ValueError):
        return ""
    hours, rest = divmod(total, 60)
    if not hours:
        return _("%(m)d min") % {"m": rest}
    if hours >= 48:
        return ngettext("%(d)d day", "%(d)d days", hours // 24) % {"d": hours // 24}
    return _("%(h)d h %(m)02d") % {"h": hours, "m": rest}
