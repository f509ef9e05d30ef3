from django.urls import include, path

from .views import BaselineView

urlpatterns = [
    path("bench/baseline/", BaselineView.as_view()),
    path("", include("customs_core.urls")),
]
