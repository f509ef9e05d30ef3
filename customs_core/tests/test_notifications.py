"""notify() reaches every registered handler, refuses unknown kinds, and does nothing when
nobody delivers."""

import pytest

from customs_core import notifications


@pytest.fixture
def kind():
    notifications.register_kind("test_kind", "Test")
    yield "test_kind"
    notifications.KINDS.pop("test_kind", None)


def test_every_handler_receives_the_notification(kind):
    seen = []
    notifications.register_handler("test", seen.append)
    try:
        notifications.notify(kind, recipients=["a", None, "b"], obj=42, context={"n": 1},
                             dedupe_key="k1")
        notifications.notify(kind, recipients=[None])  # nobody: no call
    finally:
        notifications.unregister_handler("test")
    assert [(n.kind, n.recipients, n.obj, n.context, n.dedupe_key) for n in seen] == [
        (kind, ("a", "b"), 42, {"n": 1}, "k1")]


def test_an_unknown_kind_is_a_programming_error():
    with pytest.raises(ValueError):
        notifications.notify("no_such_kind", recipients=["a"])


def test_without_a_handler_nothing_happens(kind):
    notifications.notify(kind, recipients=["a"])
