from django import template

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
