from django.urls import path

from . import views

app_name = "partnership"

urlpatterns = [
    path("support/", views.request_list, name="requests"),
    path("support/new/", views.request_new, name="request-new"),
    path("support/<int:pk>/", views.request_detail, name="request"),
    path("support/<int:pk>/message/", views.request_message, name="request-message"),
    path("support/<int:pk>/close/", views.request_close, name="request-close"),
    path("support/<int:pk>/reopen/", views.request_reopen, name="request-reopen"),
    path("support/<int:pk>/assign/", views.request_assign, name="request-assign"),
    path("support/<int:pk>/schedule/", views.request_schedule, name="request-schedule"),
    path("support/attachments/<int:pk>/", views.attachment_file, name="attachment"),
    path("support/ratings/", views.satisfaction, name="satisfaction"),
    path("support/rate/<int:declaration_pk>/", views.rate, name="rate"),
    path("guidance/", views.article_list, name="articles"),
    path("guidance/<int:pk>/", views.article_detail, name="article"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification-open"),
    path("notifications/read-all/", views.notification_read_all, name="notifications-read-all"),
    path("notifications/settings/", views.notification_settings,
         name="notification-settings"),
    path("notifications/bell/", views.bell, name="bell"),
]
