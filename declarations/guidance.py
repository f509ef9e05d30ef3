"""What happens next, for the declarant, in each state of a declaration (the detail page's
card and the message after submitting). Pure: plain values in, translated text out."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from customs_core.money import format_money

from .choices import Channel
from .choices import DeclarationState as S


@dataclass(frozen=True)
class NextStep:
    key: str  # stable name of the situation (tests, styling)
    title: str  # what the declarant must know first
    text: str  # what happens next and what the declarant can do now
    pay: bool = False  # the pay form belongs here
    documents: bool = False  # documents may be added now


def _due(outstanding_vnd: Decimal) -> str:
    return format_money(outstanding_vnd, "VND")


def next_step(*, state: str, channel: str, outstanding_vnd: Decimal) -> NextStep:
    """The declarant's next step for a declaration in `state`."""
    owed = outstanding_vnd > 0
    due = {"due": _due(outstanding_vnd)}
    pay_now = (" " + _("Duties due: %(due)s. Paying now means the goods are released as soon "
                       "as the check ends.") % due) if owed else ""
    if state == S.DRAFT:
        return NextStep("draft", _("Check the duties, then submit"), _(
            "Nothing is registered yet. Check the goods lines and the duties, attach the "
            "documents (a certificate of origin for a preferential rate), then submit: the "
            "declaration gets its number and is routed to a channel."), documents=True)
    if state in (S.SUBMITTED, S.SCORED):
        return NextStep("routing", _("Registered: the channel is being decided"), _(
            "The risk system routes the declaration to the green, yellow or red channel, "
            "usually within a minute: reload this page to see it. Until then you may still "
            "amend or cancel it.") + pay_now, pay=owed, documents=True)
    if state == S.GREEN:
        if owed:
            return NextStep("pay_to_clear", _(
                "Pay %(due)s: the declaration clears automatically once paid") % due, _(
                "Green channel: no document check and no inspection. Pay the duties by "
                "treasury or bank transfer and record the payment reference here; the "
                "goods are cleared as soon as the full amount is recorded."), pay=True)
        return NextStep("cleared", _("Cleared: the goods may leave at the border gate"), _(
            "Present the declaration number at the border gate."))
    if state == S.CLEARED:
        if owed:
            return NextStep("cleared", _("Cleared: the goods may leave at the border gate"), _(
                "Present the declaration number at the border gate. Duties of %(due)s are "
                "still due: pay them before their deadline.") % due, pay=True)
        return NextStep("cleared", _("Cleared: the goods may leave at the border gate"), _(
            "Present the declaration number at the border gate."))
    if state == S.GATE_OUT:
        return NextStep("gone", _("The goods have left through the border gate"), _(
            "The declaration is complete: nothing more to do."))
    if state in (S.YELLOW, S.DOC_CHECK):
        title = (_("Waiting for the document check") if state == S.YELLOW
                 else _("An officer is checking the documents"))
        return NextStep("document_check", title, _(
            "Yellow channel: a document-check officer reviews the declaration and its "
            "documents, within 2 working hours of starting. You may be asked to add documents "
            "(add them below) or to amend the declaration.") + pay_now,
            pay=owed, documents=True)
    if state in (S.RED, S.INSPECTION):
        title = (_("Waiting for the physical inspection") if state == S.RED
                 else _("The goods are being inspected"))
        return NextStep("inspection", title, _(
            "Red channel: officers inspect the goods at the border gate or the inspection "
            "site, within 8 working hours of starting. Keep the goods and their documents "
            "available there.") + pay_now, pay=owed)
    if state == S.AMEND_REQUESTED:
        return NextStep("amend", _("Amend the declaration"), _(
            "The officer asked for an amendment: the reason is in the timeline. Correct the "
            "declaration with Amend (and add documents if asked); it is routed again."),
            documents=True)
    if state == S.VIOLATION:
        return NextStep("violation", _("A violation was recorded"), _(
            "The branch contacts you about the penalty and any extra duties; the goods are "
            "released once they are settled.") + pay_now, pay=owed)
    if state == S.SEIZED:
        return NextStep("seized", _("The goods were seized"), _(
            "The branch decided to seize the goods after the violation: the decision and its "
            "reasons are in the timeline. Contact the branch to appeal."))
    if state == S.CANCELLED:
        return NextStep("cancelled", _("Cancelled"), _(
            "Nothing more to do. File a new declaration if the goods still cross."))
    raise ValueError(f"no guidance for state {state}")


def submitted_message(*, number: str, channel: str, outstanding_vnd: Decimal) -> str:
    """The message after submitting: the number, the channel (or when it comes), what is due."""
    parts = [_("Declaration registered as number %(number)s.") % {"number": number}]
    if channel in Channel.values:
        parts.append(_("Channel: %(channel)s.") % {"channel": Channel(channel).label})
    else:
        parts.append(_("Its channel (green, yellow or red) is decided shortly, usually within "
                       "a minute."))
    parts.append(_("Duties due: %(due)s.") % {"due": _due(outstanding_vnd)}
                 if outstanding_vnd > 0 else _("No duties are due."))
    return " ".join(parts)
