"""{% backtest_form ruleset %}: the what-if page's backtest form, with its defaults (the last
90 days, 10% red)."""

from django import template

from ..forms_learning import BacktestForm

register = template.Library()


@register.inclusion_tag("risk/learning/_backtest_form.html", takes_context=True)
def backtest_form(context, ruleset):
    return {"ruleset": ruleset, "form": BacktestForm(), "csrf_token": context.get("csrf_token")}
