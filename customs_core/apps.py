from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomsCoreConfig(AppConfig):
    name = "customs_core"
    verbose_name = _("Customs reference data")

    def ready(self):
        from . import reference_cache

        reference_cache.connect_signals()
