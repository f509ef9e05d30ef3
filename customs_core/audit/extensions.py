"""How the audit plugs into the foundation, called once from AuditConfig.ready(): the account
signals, the auditor's menu entry and the home cards."""

from django.db.models.signals import post_save, pre_save
from django.utils.translation import gettext_lazy as _

from customs_core.choices import Role
from customs_core.navigation import MenuItem
from customs_core.navigation import register as register_menu


def register() -> None:
    from customs_core.views import HOME_WIDGETS

    from . import signals, widgets

    pre_save.connect(signals.user_before_save, sender="customs_core.User",
                     dispatch_uid="audit-user-before-save")
    post_save.connect(signals.user_after_save, sender="customs_core.User",
                      dispatch_uid="audit-user-after-save")
    # The auditor's bar is short; the branch leader's is full (one more entry wraps it in
    # Vietnamese at 1366 px), so the leader comes in from the home card.
    register_menu(MenuItem(_("Access audit"), "audit:search", frozenset({Role.AUDITOR})),
                  before="tariff-browser")
    for role in (Role.AUDITOR, Role.BRANCH_LEADER):
        if widgets.audit_widget not in HOME_WIDGETS[role]:
            HOME_WIDGETS[role].append(widgets.audit_widget)
