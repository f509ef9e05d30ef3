from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnershipConfig(AppConfig):
    """The customs-business partnership desk: support requests with time limits, service
    ratings, guidance articles, and every user's notifications (in the app and by e-mail).
    Plugs into declarations from above: extensions.py, called here."""

    name = "partnership"
    verbose_name = _("Partnership desk")

    def ready(self):
        from . import extensions

        extensions.register()
