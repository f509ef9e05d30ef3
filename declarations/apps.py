from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = _("Declarations")

    def ready(self):
        from customs_core import health
        from customs_core.choices import Role
        from customs_core.views import HOME_WIDGETS

        from . import widgets
        from .risk import cache
        from .risk.health import routing_health

        cache.connect_signals()
        health.register("routing", routing_health)
        from customs_core import code_lists

        from .choices import CertificateForm, Channel, DeclarationState, DocumentType, Incoterm

        for name, choices in (("incoterms", Incoterm), ("document-types", DocumentType),
                              ("certificate-forms", CertificateForm), ("channels", Channel),
                              ("declaration-states", DeclarationState)):
            code_lists.register(name, choices)
        for role, widget in ((Role.BRANCH_LEADER, widgets.channel_mix_widget),
                             (Role.RISK, widgets.channel_mix_widget),
                             (Role.TEAM_LEADER, widgets.channel_mix_widget),
                             (Role.ENTERPRISE, widgets.my_declarations_widget)):
            if widget not in HOME_WIDGETS[role]:
                HOME_WIDGETS[role].append(widget)
        from customs_core.navigation import ALL_ROLES, MenuItem, register

        register(MenuItem(_("Declarations"), "declarations:list", ALL_ROLES - {Role.ADMIN}),
                 before="tariff-browser")
        register(MenuItem(_("New declaration"), "declarations:new", frozenset({Role.ENTERPRISE})),
                 before="tariff-browser")
        register(MenuItem(_("Risk rules"), "risk:rules",
                          frozenset({Role.RISK, Role.BRANCH_LEADER})), before="tariff-browser")
        register(MenuItem(_("Channel requests"), "risk:requests",
                          frozenset({Role.BRANCH_LEADER, Role.RISK, Role.TEAM_LEADER})),
                 before="tariff-browser")
