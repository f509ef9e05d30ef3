from django.urls import path

from . import views

app_name = "declarations"

urlpatterns = [
    path("", views.declaration_list, name="list"),
    path("new/", views.declaration_new, name="new"),
    path("line-row/", views.goods_line_row, name="line-row"),
    path("duty-preview/", views.duty_preview, name="duty-preview"),
    path("hs-suggest/", views.hs_suggest, name="hs-suggest"),
    path("lines-template/", views.lines_template, name="lines-template"),
    path("<int:pk>/", views.declaration_detail, name="detail"),
    path("<int:pk>/edit/", views.declaration_edit, name="edit"),
    path("<int:pk>/submit/", views.declaration_submit, name="submit"),
    path("<int:pk>/cancel/", views.declaration_cancel, name="cancel"),
    path("<int:pk>/pay/", views.declaration_pay, name="pay"),
    path("<int:pk>/documents/", views.document_upload, name="document-upload"),
    path("<int:pk>/documents/<int:doc_pk>/", views.document_file, name="document-file"),
    path("<int:pk>/expected/<int:index>/remove/", views.expected_remove, name="expected-remove"),
    path("<int:pk>/copy/", views.declaration_copy, name="copy"),
    path("<int:pk>/lines.<str:kind>", views.lines_export, name="lines-export"),
    path("<int:pk>/print/", views.declaration_print, name="print"),
    path("<int:pk>/receipt/", views.declaration_receipt, name="receipt"),
]
