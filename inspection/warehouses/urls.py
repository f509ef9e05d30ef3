from django.urls import path

from . import views

app_name = "warehouses"

urlpatterns = [
    path("", views.warehouse_list, name="list"),
    path("overdue/", views.overdue_list, name="overdue"),
    path("held/", views.held_list, name="held"),
    path("held/<int:pk>/apply/", views.held_apply, name="held-apply"),
    path("stock/<int:pk>/", views.stock_item_detail, name="item"),
    path("stock/<int:pk>/adjust/", views.stock_adjust, name="adjust"),
    path("stock/<int:pk>/transfer/", views.stock_transfer, name="transfer"),
    path("stock/<int:pk>/extend/", views.term_extend, name="extend"),
    path("declaration/<int:pk>/draws/", views.draws_name, name="draws"),
    path("<str:code>/", views.warehouse_detail, name="detail"),
    path("<str:code>/report/", views.warehouse_report, name="report"),
]
