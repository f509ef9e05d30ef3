from django.urls import path

from . import views

app_name = "inspection"

urlpatterns = [
    path("", views.queue_page, name="queue"),
    path("checks/<int:pk>/", views.check_page, name="check"),
    path("checks/<int:pk>/<slug:name>/", views.check_action, name="check-action"),
    path("checks/<int:pk>/attachments/<int:attachment_pk>/", views.attachment_file,
         name="attachment"),
    path("team/", views.team_page, name="team"),
    path("team/members/<int:member_pk>/", views.member_update, name="member-update"),
    path("team/conflicts/", views.conflict_add, name="conflict-add"),
    path("gate/", views.gate_page, name="gate"),
    path("gate/<int:declaration_pk>/exit/", views.gate_exit, name="gate-exit"),
]
