from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    """Sign-in beyond the password: the second factor, sessions, password reset and the
    integration tokens enterprises give their systems (issue 20)."""

    name = "customs_core.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import authentication  # noqa: F401  (registers the OpenAPI scheme)
        from .signals import session_start

        user_logged_in.connect(session_start, dispatch_uid="accounts-session-start")
