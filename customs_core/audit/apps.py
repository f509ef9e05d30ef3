from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The access audit (issue 20): who read a declaration, its documents or its risk
    assessment, who changed the risk criteria or an account. The apps above record through
    customs_core.audit.services; this app imports none of them."""

    name = "customs_core.audit"
    label = "audit"
    verbose_name = _("Access audit")

    def ready(self):
        from . import extensions

        extensions.register()
