"""State-change subscribers: how apps above declarations learn that a declaration entered a
state, without declarations importing them (DESIGN.md §3).

`transition()` and `transition_batch()` call every matching subscriber inside their
transaction, after the conditional UPDATE and the event rows, with the declaration as it now
is. A subscriber that raises rolls the transition back (the caller gets the exception). Work
that leaves the process (a Celery task, an e-mail) must wait for the commit: use
`transaction.on_commit(publish, robust=True)` with a named function (RECIPES.md).

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


_SUBSCRIBERS: list[Subscriber] = []


def subscribe(callback: Callable[[StateChange], None], *, to: str | Iterable[str] | None = None,
              name: str | None = None) -> None:
    """Call `callback(change)` whenever a declaration enters one of the states `to` (every
    state when None). Registering the same name twice replaces it (ready() may run twice)."""
    states = None if to is None else frozenset([to] if isinstance(to, str) else to)
    name = name or f"{callback.__module__}.{callback.__qualname__}"
    _SUBSCRIBERS[:] = [s for s in _SUBSCRIBERS if s.name != name]
    _SUBSCRIBERS.append(Subscriber(callback=callback, to=states, name=name))


def unsubscribe(name: str) -> None:
    _SUBSCRIBERS[:] = [s for s in _SUBSCRIBERS if s.name != name]


def subscribers() -> list[Subscriber]:
    return list(_SUBSCRIBERS)


def notify(change: StateChange) -> None:
    """Called by the workflow for every step, inside its transaction."""
    for subscriber in list(_SUBSCRIBERS):
        if subscriber.to is None or change.to_state in subscriber.to:
            subscriber.callback(change)
