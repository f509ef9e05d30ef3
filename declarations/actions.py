"""What a user may do now on a declaration: the one answer pages, templates and the API use.

The moves between states come from the transition table (workflow.actions_for); the moves
that change no state (edit a draft, pay duties, attach a document) are added here. The user
is assumed to see the declaration already (selectors scoped it)."""

from .choices import DeclarationState as S
from .documents import DOCUMENT_STATES
from .models import Declaration
from .workflow import actions_for

UNREGISTERED = frozenset({S.DRAFT, S.CANCELLED})


def declaration_actions(user, declaration: Declaration) -> frozenset[str]:
    """Action names: the table's (submit, amend, cancel, start_document_check, clear,
    raise_channel...) and edit, copy, pay, attach_document for the declarant."""
    actions = set(actions_for(user, declaration))
    if getattr(user, "is_declarant", False):
        actions.add("copy")
        if declaration.state == S.DRAFT:
            actions.add("edit")
        if declaration.state not in UNREGISTERED and declaration.outstanding_vnd > 0:
            actions.add("pay")
        if declaration.state in DOCUMENT_STATES:
            actions.add("attach_document")
    return frozenset(actions)
