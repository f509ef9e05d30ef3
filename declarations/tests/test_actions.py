"""One answer to "what may this user do now": derived from the transition table, used by the
pages, the templates and the API; no state lists anywhere else."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from declarations.actions import declaration_actions
from declarations.testing import declaration_make

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("state, persona, expected", [
    ("draft", "declarant_a", {"edit", "copy", "submit", "cancel", "attach_document"}),
    ("submitted", "declarant_a", {"amend", "copy", "cancel", "pay", "attach_document"}),
    ("green", "declarant_a", {"copy", "pay"}),
    ("amend_requested", "declarant_a", {"amend", "copy", "cancel", "pay", "attach_document"}),
    ("yellow", "doc_checker", {"start_document_check", "raise_channel"}),
    ("doc_check", "doc_checker", {"clear", "request_amendment", "escalate",
                                  "record_violation"}),
    ("red", "inspector", {"start_inspection"}),
    ("inspection", "inspector", {"clear", "record_violation"}),
    ("violation", "inspector", {"clear", "seize"}),
    ("yellow", "leader", {"raise_channel", "lower_channel"}),
    ("cleared", "inspector", {"gate_out"}),
    ("gate_out", "leader", set()),
    ("green", "risk_officer", {"raise_channel"}),
])
def test_actions_follow_the_table(request, declarant_a, state, persona, expected):
    user = request.getfixturevalue(persona)
    declaration = declaration_make(state=state, user=declarant_a)
    assert declaration_actions(user, declaration) == expected


TEMPLATES = [Path(settings.BASE_DIR) / app for app in ("declarations", "customs_core",
                                                         "templates")]


def test_no_template_lists_states():
    """Templates ask `"submit" in actions`, never `d.state == ...` or `state in "..."`."""
    offending = []
    for root in TEMPLATES:
        for path in root.rglob("*.html"):
            text = path.read_text()
            if re.search(r"\.state\s*(==|!=|in\b)|state in \"", text):
                offending.append(str(path))
    assert offending == []
