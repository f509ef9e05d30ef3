"""What the partnership app tells enterprises when their declarations move: routed (the
channel, never the reasons), amendment requested, cleared, violation recorded. One batch of
state changes (a routing batch of up to 200) costs a constant number of queries."""

from django.utils.translation import gettext_lazy as _

from customs_core import notifications
from customs_core.models import User
from declarations.choices import Channel
from declarations.choices import DeclarationState as S

from .notices import deliver_many

ROUTED = "declaration_routed"
AMEND_REQUESTED = "declaration_amend_requested"
CLEARED = "declaration_cleared"
VIOLATION = "declaration_violation"

KIND_OF_STATE = {S.GREEN: ROUTED, S.YELLOW: ROUTED, S.RED: ROUTED,
                 S.AMEND_REQUESTED: AMEND_REQUESTED, S.CLEARED: CLEARED,
                 S.VIOLATION: VIOLATION}


def channel_display(context: dict) -> dict:
    return {"channel": str(dict(Channel.choices).get(context.get("channel"), ""))}


def register_kinds() -> None:
    notifications.register_kind(
        ROUTED, _("Declaration routed"),
        text=_("Declaration %(number)s was routed to the %(channel)s channel."),
        prepare=channel_display)
    notifications.register_kind(
        AMEND_REQUESTED, _("Amendment requested"),
        text=_("Customs asked for an amendment of declaration %(number)s: %(reason)s"))
    notifications.register_kind(CLEARED, _("Declaration cleared"),
                                text=_("Declaration %(number)s was cleared."))
    notifications.register_kind(
        VIOLATION, _("Violation recorded"),
        text=_("A violation was recorded on declaration %(number)s: %(reason)s"))


def on_declaration_change(changes) -> None:
    """State-change subscriber (many=True): tell each declaration's enterprise users."""
    enterprises = {c.declaration.enterprise_id for c in changes}
    people: dict[int, list[User]] = {}
    for user in User.objects.filter(enterprise_id__in=enterprises, is_active=True):
        people.setdefault(user.enterprise_id, []).append(user)
    batch = []
    for change in changes:
        declaration = change.declaration
        recipients = tuple(people.get(declaration.enterprise_id, ()))
        kind = KIND_OF_STATE.get(change.to_state)
        if not recipients or kind is None:
            continue
        context = {"number": declaration.number or f"#{declaration.pk}"}
        if kind == ROUTED:
            context["channel"] = change.to_state  # the channel only: never the reasons
        elif kind in {AMEND_REQUESTED, VIOLATION}:
            context["reason"] = change.reason or ""
        batch.append(notifications.Notification(
            kind=kind, recipients=recipients, obj=declaration, context=context,
            dedupe_key=f"{kind}-{declaration.pk}-{declaration.version}"))
    if batch:
        deliver_many(batch)
