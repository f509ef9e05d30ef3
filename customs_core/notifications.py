"""Telling people what happened: the one call every app makes, whatever delivers it.

    from customs_core import notifications
    notifications.notify("inspection_scheduled", recipients=declarants, obj=declaration,
                         context={"number": declaration.number, "at": scheduled_at},
                         dedupe_key=f"inspection-scheduled-{inspection.pk}")

customs_core knows no delivery: the app that delivers (partnership: the in-app bell and
e-mail) registers a handler from its AppConfig.ready(), so an app of any layer can notify
without importing it. With no handler registered, notify() does nothing. Handlers are called
in the caller's transaction; anything that leaves the process (e-mail) is theirs to queue
after commit. `dedupe_key` lets a handler deliver one notification per event even when the
caller runs twice (a retried task).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Notification:
    kind: str
    recipients: tuple  # users
    obj: object = None  # what it is about (a declaration, a support request...)
    context: dict = field(default_factory=dict)
    dedupe_key: str = ""


@dataclass(frozen=True)
class Kind:
    """A kind of notification: its name in the settings page, the sentence it says (a lazy
    translation with %(name)s placeholders filled from the context, shown in the reader's
    language), and its default delivery. `prepare(context)` may add display values (a
    channel's label) under the reader's language."""

    code: str
    label: str  # translated lazily
    text: str = ""  # lazily translated, e.g. _("Declaration %(number)s was cleared.")
    email_by_default: bool = True
    prepare: Callable[[dict], dict] | None = None
    url_name: str = ""  # where the notification leads when `obj` has no get_absolute_url()


KINDS: dict[str, Kind] = {}
_HANDLERS: dict[str, Callable[[Notification], None]] = {}


def register_kind(code: str, label, *, text="", email_by_default: bool = True,
                  prepare: Callable[[dict], dict] | None = None, url_name: str = "") -> None:
    KINDS[code] = Kind(code=code, label=label, text=text, email_by_default=email_by_default,
                       prepare=prepare, url_name=url_name)


def register_handler(name: str, handler: Callable[[Notification], None]) -> None:
    """Deliver notifications (the partnership app: store for the bell, queue the e-mail)."""
    _HANDLERS[name] = handler


def unregister_handler(name: str) -> None:
    _HANDLERS.pop(name, None)


def notify(kind: str, *, recipients, obj=None, context: dict | None = None,
           dedupe_key: str = "") -> None:
    """Tell `recipients` (a user or users) that `kind` happened about `obj`."""
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}: register it first")
    if recipients is None:
        return
    people = (recipients,) if not isinstance(recipients, Iterable) else tuple(recipients)
    people = tuple(p for p in people if p is not None)
    if not people:
        return
    notification = Notification(kind=kind, recipients=people, obj=obj, context=context or {},
                                dedupe_key=dedupe_key)
    for handler in list(_HANDLERS.values()):
        handler(notification)
