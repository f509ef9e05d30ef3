"""State-change subscribers: how apps above declarations learn that a declaration entered a
state, without declarations importing them (DESIGN.md §3).

`transition()` and `transition_batch()` call every matching subscriber inside their
transaction, after the conditional UPDATE and the event rows, with the declaration as it now
is. A subscriber that raises rolls the transition back (the caller gets the exception). Work
that leaves the process (a Celery task, an e-mail) must wait for the commit: use
`transaction.on_commit(publish, robust=True)` with a named function (RECIPES.md).

A subscriber registered with `many=True` is called once per transition with the list of its
matching changes: the router moves up to 200 declarations in one `transition_batch()`, and a
subscriber that does database work per declaration (inspection's assignment) does it for the
batch in a constant number of queries instead.

    # inspection/apps.py
    def ready(self):
        from declarations import events
        events.subscribe(assign_officer, to={"yellow", "red"})
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StateChange:
    """One step of a transition: `declaration` has just moved from `from_state` to `to_state`."""

    declaration: object  # declarations.models.Declaration (current fields, new version)
    from_state: str
    to_state: str
    actor: object | None  # the acting user; None for the system (risk engine, auto-clear)
    reason: str = ""
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Subscriber:
    callback: Callable[[StateChange], None]
    to: frozenset[str] | None  # None: every state
    name: str
    many: bool = False  # called once with the list of matching changes of a transition


_SUBSCRIBERS: list[Subscriber] = []


def subscribe(callback: Callable, *, to: str | Iterable[str] | None = None,
              name: str | None = None, many: bool = False) -> None:
    """Call `callback(change)` whenever a declaration enters one of the states `to` (every
    state when None); with `many`, `callback(changes)` once per transition (or batch) with
    every matching change. Registering the same name twice replaces it (ready() may run
    twice)."""
    states = None if to is None else frozenset([to] if isinstance(to, str) else to)
    name = name or f"{callback.__module__}.{callback.__qualname__}"
    _SUBSCRIBERS[:] = [s for s in _SUBSCRIBERS if s.name != name]
    _SUBSCRIBERS.append(Subscriber(callback=callback, to=states, name=name, many=many))


def unsubscribe(name: str) -> None:
    _SUBSCRIBERS[:] = [s for s in _SUBSCRIBERS if s.name != name]


def subscribers() -> list[Subscriber]:
    return list(_SUBSCRIBERS)


def notify(changes: list[StateChange]) -> None:
    """Called by the workflow once per transition or batch with every step, inside its
    transaction: each subscriber in registration order, with its matching changes."""
    for subscriber in list(_SUBSCRIBERS):
        matching = [c for c in changes if subscriber.to is None or c.to_state in subscriber.to]
        if not matching:
            continue
        if subscriber.many:
            subscriber.callback(matching)
        else:
            for change in matching:
                subscriber.callback(change)
