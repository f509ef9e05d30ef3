from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    """The risk engine: rules, scoring, routing. It sits above declarations and plugs into it
    (a state-change subscriber routes submissions, a panel shows the assessment); declarations
    never imports it."""

    name = "declarations.risk"
    label = "risk"
    verbose_name = _("Risk management")

    def ready(self):
        from . import extensions

        extensions.register()
