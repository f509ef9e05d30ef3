"""A stand-in for an app above declarations (inspection, partnership...): it plugs in the way
they will, from ready(), through the subscriber and panel registries only."""

from django.apps import AppConfig

SEEN = []  # the state changes the subscriber was called with


def remember(change):
    SEEN.append((change.declaration.pk, change.from_state, change.to_state,
                 getattr(change.actor, "username", None), change.declaration.state))


def officers_only(user, declaration):
    return getattr(user, "is_officer", False)


def panel_context(request, declaration):
    return {"greeting": f"Extension panel for {declaration.pk}"}


class ExtensionAppConfig(AppConfig):
    name = "tests.extension_app"
    label = "extension_app"

    def ready(self):
        from declarations import events, panels

        events.subscribe(remember, to={"submitted", "green", "yellow", "red"},
                         name="extension_app.remember")
        panels.register(panels.Panel(key="extension", template="extension_app/_panel.html",
                                     visible=officers_only, context=panel_context, order=50))
