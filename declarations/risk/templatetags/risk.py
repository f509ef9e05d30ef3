"""Small filters of the risk pages."""

import json

from django import template

register = template.Library()


@register.filter
def params_json(params) -> str:
    """{{ rule.params|params_json }}: parameters as compact JSON."""
    return json.dumps(params, ensure_ascii=False)
