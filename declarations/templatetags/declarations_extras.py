"""Labels of the declaration pages."""

from django import template

from ..choices import duty_schedule_label

register = template.Library()


@register.filter
def schedule_label(code: str) -> str:
    """{{ line.duty_schedule|schedule_label }}: "NOT_SUBJECT" as "Not subject to duty"."""
    return duty_schedule_label(code or "")
