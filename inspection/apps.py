from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    """Officers' checks of declarations: teams, assignment, document checks, physical
    inspections, post-clearance audits, release at the gate. Plugs into declarations (and the
    risk engine's reasons) from above: extensions.py, called here."""

    name = "inspection"
    verbose_name = _("Inspection and release")

    def ready(self):
        from . import extensions

        extensions.register()
