from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomsCoreConfig(AppConfig):
    name = "customs_core"
    verbose_name = _("Customs reference data")

    def ready(self):
        from . import code_lists, reference_cache, working_hours
        from .choices import Flow, TransportMode, Unit

        reference_cache.connect_signals()
        working_hours.connect_signals()
        code_lists.register("flows", Flow)
        code_lists.register("transport-modes", TransportMode)
        code_lists.register("units", Unit)
