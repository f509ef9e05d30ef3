"""Test helpers of the risk engine: declarations routed by the real engine."""

from decimal import Decimal


def walk_to(declaration, state: str, *, officer=None):
    """Move a submitted declaration to `state` through the real transitions: the risk engine
    routes it green (no random selection in the active ruleset), an officer raises the
    channel, the document check or the inspection starts.

    `state` is one of green, yellow, doc_check, amend_requested, red, inspection.
    """
    from customs_core.testing.factories import UserFactory
    from declarations.workflow import transition

    from .services import declaration_raise_channel, declaration_route, ruleset_active

    ruleset = ruleset_active()
    if ruleset.min_random_percent or ruleset.post_audit_random_percent:
        ruleset.min_random_percent = ruleset.post_audit_random_percent = Decimal(0)
        ruleset.save()
    declaration_route(declaration_id=declaration.pk)
    declaration.refresh_from_db()
    assert declaration.state == "green", declaration.state
    channel = {"doc_check": "yellow", "amend_requested": "yellow",
               "inspection": "red"}.get(state, state)
    if channel != "green":
        raiser = officer or UserFactory(role="doc_check")
        declaration_raise_channel(declaration=declaration, by=raiser, channel=channel,
                                  reason="Kiểm tra")
        declaration.refresh_from_db()
    if state in {"doc_check", "amend_requested"}:
        checker = UserFactory(role="doc_check")
        transition(declaration, to="doc_check", by=checker)
        if state == "amend_requested":
            transition(declaration, to="amend_requested", by=checker, reason="Sai mã HS")
    if state == "inspection":
        transition(declaration, to="inspection", by=UserFactory(role="inspection"))
    declaration.refresh_from_db()
    assert declaration.state == state, declaration.state
    return declaration
