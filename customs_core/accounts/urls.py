from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("second-factor/setup/", views.second_factor_setup, name="second-factor-setup"),
    path("second-factor/verify/", views.second_factor_verify, name="second-factor-verify"),
    path("security/", views.security, name="security"),
    path("security/recovery-codes/", views.recovery_codes_renew, name="recovery-codes"),
    path("security/second-factor-off/", views.second_factor_disable, name="second-factor-off"),
    path("security/sign-out-everywhere/", views.sign_out_everywhere,
         name="sign-out-everywhere"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="accounts/password_reset_done.html"), name="password-reset-done"),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(),
         name="password-reset-confirm"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="accounts/password_reset_complete.html"), name="password-reset-complete"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
]
