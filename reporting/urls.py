from django.urls import path

from . import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("csv/<slug:chart>/", views.chart_csv, name="csv"),
    path("exports/", views.export_new, name="export-new"),
    path("exports/<int:pk>/", views.export_detail, name="export"),
    path("exports/<int:pk>/download/", views.export_download, name="export-download"),
    path("targets/", views.targets, name="targets"),
    path("mine/", views.mine, name="mine"),
]
