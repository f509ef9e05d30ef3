"""The officers' risk panel on a declaration, and small filters of the risk pages."""

import json

from django import template

from ..choices import Channel, ChannelRequestStatus, RuleEffect
from ..risk.explain import hit_detail, hit_name
from ..risk.forms import ChannelChangeForm
from ..risk.scoring import CHANNEL_ORDER
from ..risk.services import OPEN_CHANNEL_STATES
from ..workflow import RAISERS

register = template.Library()


@register.inclusion_tag("declarations/risk/_officer_panel.html", takes_context=True)
def risk_panel(context, declaration):
    """The latest assessment (confidential: officers only) and the channel override forms."""
    user = context["user"]
    if not getattr(user, "is_officer", False):
        return {"show": False}
    assessment = (declaration.assessments.select_related("ruleset")
                  .order_by("-created_at", "-pk").first())
    pending = (declaration.channel_requests.filter(status=ChannelRequestStatus.PENDING)
               .select_related("requested_by").first())
    current = OPEN_CHANNEL_STATES.get(declaration.state)
    higher = lower = []
    if current is not None and user.role in RAISERS:
        higher = [(v, label) for v, label in Channel.choices
                  if CHANNEL_ORDER[v] > CHANNEL_ORDER[current]]
        lower = [] if pending else [(v, label) for v, label in Channel.choices
                                    if CHANNEL_ORDER[v] < CHANNEL_ORDER[current]]
    raise_form = ChannelChangeForm(auto_id="raise_%s")
    raise_form.fields["channel"].choices = higher
    lower_form = ChannelChangeForm(auto_id="lower_%s")
    lower_form.fields["channel"].choices = lower
    effects = dict(RuleEffect.choices)
    fired = [{**hit, "effect_label": effects.get(hit.get("effect"), hit.get("effect")),
              "name_label": hit_name(hit), "detail_text": hit_detail(hit)}
             for hit in (assessment.fired if assessment else [])]
    return {"show": True, "d": declaration, "user": user, "assessment": assessment,
            "fired": fired,
            "pending": pending, "raise_form": raise_form if higher else None,
            "lower_form": lower_form if lower else None,
            "csrf_token": context.get("csrf_token")}


@register.filter
def params_json(params) -> str:
    """{{ rule.params|params_json }}: parameters as compact JSON."""
    return json.dumps(params, ensure_ascii=False)
