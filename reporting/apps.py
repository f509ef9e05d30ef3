from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportingConfig(AppConfig):
    """Statistics of the branch from rollups of the declaration event log: the leaders'
    dashboard, revenue targets, exports, an enterprise's own figures. Plugs into the menus and
    the home page from above: extensions.py, called here."""

    name = "reporting"
    verbose_name = _("Reporting")

    def ready(self):
        from . import extensions

        extensions.register()
