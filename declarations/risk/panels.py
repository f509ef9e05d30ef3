"""The risk panel of the declaration page: the latest assessment (confidential: officers only)
and the channel override forms. Registered as the first detail-page panel (extensions.py)."""

from customs_core.audit.services import note
from customs_core.roles import CHANNEL_RAISER_ROLES
from declarations.choices import Channel
from declarations.workflow import actions_for

from .choices import RuleEffect
from .explain import hit_detail, hit_name
from .forms import ChannelChangeForm
from .scoring import CHANNEL_ORDER
from .selectors import latest_assessment_for, pending_channel_request_for
from .services import OPEN_CHANNEL_STATES


def risk_panel_visible(user, declaration) -> bool:
    return getattr(user, "is_officer", False)


def risk_panel_context(request, declaration) -> dict:
    user = request.user
    assessment = latest_assessment_for(declaration)
    if assessment is not None:
        # The page's own audit row (declaration viewed) records that it showed the assessment.
        note(request, risk_assessment=assessment.pk)
    pending = pending_channel_request_for(declaration)
    current = OPEN_CHANNEL_STATES.get(declaration.state)
    higher = lower = []
    if current is not None and "raise_channel" in actions_for(user, declaration):
        higher = [(v, label) for v, label in Channel.choices
                  if CHANNEL_ORDER[v] > CHANNEL_ORDER[current]]
    if current is not None and user.role in CHANNEL_RAISER_ROLES and not pending:
        lower = [(v, label) for v, label in Channel.choices
                 if CHANNEL_ORDER[v] < CHANNEL_ORDER[current]]
    raise_form = ChannelChangeForm(auto_id="raise_%s")
    raise_form.fields["channel"].choices = higher
    lower_form = ChannelChangeForm(auto_id="lower_%s")
    lower_form.fields["channel"].choices = lower
    effects = dict(RuleEffect.choices)
    fired = [{**hit, "effect_label": effects.get(hit.get("effect"), hit.get("effect")),
              "name_label": hit_name(hit), "detail_text": hit_detail(hit)}
             for hit in (assessment.fired if assessment else [])]
    return {"show": True, "assessment": assessment, "fired": fired, "pending": pending,
            "raise_form": raise_form if higher else None,
            "lower_form": lower_form if lower else None}
