from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeclarationsConfig(AppConfig):
    name = "declarations"
    verbose_name = _("Declarations")

    def ready(self):
        from customs_core import code_lists
        from customs_core.choices import Role
        from customs_core.navigation import MenuItem, register
        from customs_core.roles import ALL_ROLES, ENTERPRISE_ROLES
        from customs_core.views import HOME_WIDGETS

        from . import events, services, widgets
        from .choices import CertificateForm, Channel, DeclarationState, DocumentType, Incoterm

        # Our own subscriber: a declaration entering green with nothing owed clears at once.
        events.subscribe(services.clear_when_green_and_settled, to=DeclarationState.GREEN,
                         name="declarations.auto-clear")
        for name, choices in (("incoterms", Incoterm), ("document-types", DocumentType),
                              ("certificate-forms", CertificateForm), ("channels", Channel),
                              ("declaration-states", DeclarationState)):
            code_lists.register(name, choices)
        if widgets.my_declarations_widget not in HOME_WIDGETS[Role.ENTERPRISE]:
            HOME_WIDGETS[Role.ENTERPRISE].append(widgets.my_declarations_widget)
        register(MenuItem(_("Declarations"), "declarations:list", ALL_ROLES - {Role.ADMIN}),
                 before="tariff-browser")
        register(MenuItem(_("New declaration"), "declarations:new", ENTERPRISE_ROLES),
                 before="tariff-browser")
