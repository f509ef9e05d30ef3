"""The access audit's pages: the search and its exports."""

from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.search, name="search"),
    path("export/<str:kind>/", views.export, name="export"),
]
