from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .api.auth_views import TokenObtainView
from .health import healthz
from .middleware import api_error_response

api_v1 = [
    path("auth/token/", TokenObtainView.as_view(), name="api-token"),
    path("", include("customs_core.api.urls")),
    path("", include("declarations.api.urls")),
    path("", include("declarations.risk.api.urls")),
    path("", include("inspection.api.urls")),
    path("", include("inspection.warehouses.api.urls")),
    path("", include("partnership.api.urls")),
    path("", include("reporting.api.urls")),
    path("", include("customs_core.audit.api.urls")),
]


@csrf_exempt  # nothing is done: a POST to an unknown API path is a 404, not a CSRF 403
def api_not_found(request, rest=""):
    """Unknown API paths: a JSON 404 whatever DEBUG says (Django's own would be a page)."""
    return api_error_response(404, _("Not found."))


urlpatterns = [
    path("", views.home, name="home"),
    path("tariff/", views.tariff_browser, name="tariff-browser"),
    path("declarations/", include("declarations.urls")),
    path("risk/", include("declarations.risk.urls")),
    path("inspection/", include("inspection.urls")),
    path("warehouses/", include("inspection.warehouses.urls")),
    path("", include("partnership.urls")),
    path("reports/", include("reporting.urls")),
    path("audit/", include("customs_core.audit.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("customs_core.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("metrics", include("customs_core.observability.urls")),  # the operator's scraper
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),  # last: after every API route
    path("admin/", admin.site.urls),
]


def _api(request) -> bool:
    return request.path.startswith("/api/")


def handler400(request, exception):
    """JSON for API paths (clients parse it), the normal page elsewhere."""
    if _api(request):
        return api_error_response(400, _("Bad request."))
    return defaults.bad_request(request, exception)


def handler403(request, exception):
    if _api(request):
        return api_error_response(403, _("You do not have permission to do this."))
    return defaults.permission_denied(request, exception)


def handler404(request, exception):
    if _api(request):
        return api_error_response(404, _("Not found."))
    return defaults.page_not_found(request, exception)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: JSON under /api/ (a session-authenticated client), the page elsewhere."""
    if _api(request):
        return api_error_response(403, _("CSRF check failed: send the CSRF token with a "
                                         "session, or authenticate with a token."))
    from django.views.csrf import csrf_failure as page

    return page(request, reason=reason)


def handler500(request):
    if _api(request):  # normally answered by ApiErrorMiddleware, with an error id
        return api_error_response(500, _("Internal server error."))
    return defaults.server_error(request)
