"""How the partnership app plugs into the layers below it, called once from ready(): the
delivery handler of customs_core.notifications, the notification kinds it sends, subscribers
on declaration states, the declaration page's panel (ask the desk, rate the service), the bell,
menus, home cards and code lists."""

from django.utils.translation import gettext_lazy as _

from customs_core import notifications
from customs_core.code_lists import register as register_code_list
from customs_core.navigation import MenuItem, TopbarItem, register_topbar
from customs_core.navigation import register as register_menu
from customs_core.roles import ALL_ROLES
from declarations import events, panels


def register() -> None:
    from . import notices, services, subscribers, widgets
    from .choices import ArticleKind, RequestState, SupportMode, Topic
    from .panels import panel_context, panel_visible

    notifications.register_handler("partnership", notices.deliver)
    subscribers.register_kinds()
    notifications.register_kind(
        services.REQUEST_NEW, _("Support request to answer"),
        text=_("Support request %(number)s (%(subject)s) is yours to answer by %(due_at)s."))
    notifications.register_kind(
        services.REQUEST_ANSWERED, _("Support request answered"),
        text=_("The customs desk answered your support request %(number)s: %(subject)s."))
    notifications.register_kind(
        services.REQUEST_MESSAGE, _("New message on a support request"),
        text=_("The enterprise wrote again on support request %(number)s: %(subject)s."))
    notifications.register_kind(
        services.REQUEST_SCHEDULED, _("Support scheduled"),
        text=_("Support for request %(number)s is scheduled on %(scheduled_at)s (%(place)s)."))
    notifications.register_kind(
        services.REQUEST_DUE_SOON, _("Answer due within a working hour"),
        text=_("The answer to support request %(number)s (%(subject)s) is due at %(due_at)s."))
    notifications.register_kind(
        services.RATING_RECEIVED, _("Service rating received"),
        text=_("Declaration %(number)s was rated %(score)s out of 5."),
        email_by_default=False, url_name="partnership:satisfaction")
    events.subscribe(subscribers.on_declaration_change, to=set(subscribers.KIND_OF_STATE),
                     name="partnership.notify", many=True)
    panels.register(panels.Panel(key="partnership", template="partnership/_panel.html",
                                 order=90, visible=panel_visible, context=panel_context))
    register_topbar(TopbarItem(key="bell", template="partnership/_bell.html",
                               context=widgets.bell_context))
    register_menu(MenuItem(_("Support"), "partnership:requests", ALL_ROLES),
                  before="tariff-browser")
    register_menu(MenuItem(_("Guidance"), "partnership:articles", ALL_ROLES),
                  before="api-docs")
    for name, choices in (("support-topics", Topic), ("support-states", RequestState),
                          ("support-modes", SupportMode), ("article-kinds", ArticleKind)):
        register_code_list(name, choices)
    from customs_core.views import HOME_WIDGETS

    for widget_list in HOME_WIDGETS.values():
        if widgets.support_widget not in widget_list:
            widget_list.append(widgets.support_widget)
    from customs_core.choices import Role

    if widgets.satisfaction_widget not in HOME_WIDGETS[Role.BRANCH_LEADER]:
        HOME_WIDGETS[Role.BRANCH_LEADER].append(widgets.satisfaction_widget)
