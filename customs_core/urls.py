from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import obtain_auth_token

from . import views
from .health import healthz

api_v1 = [
    path("auth/token/", obtain_auth_token, name="api-token"),
    path("", include("customs_core.api.urls")),
    path("", include("declarations.api.urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("tariff/", views.tariff_browser, name="tariff-browser"),
    path("declarations/", include("declarations.urls")),
    path("risk/", include("declarations.risk.urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True),
         name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"),
         name="api-docs"),
    path("admin/", admin.site.urls),
]


def handler404(request, exception):
    """JSON for API paths (clients parse it), the normal page elsewhere."""
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": "Not found."}, status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)
