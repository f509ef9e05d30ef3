"""Pages of one's own account: the second factor, recovery codes, sign-out everywhere, password
change and reset, and the enterprise administrator's integration tokens (issue 20)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from customs_core.exceptions import FieldErrors

from . import second_factor, tokens
from .forms import CodeForm, LocalizedPasswordResetForm, TokenForm
from .models import IntegrationToken


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                       require_https=request.is_secure()):
        return target
    return reverse("home")


# --- the second factor --------------------------------------------------------------------------
@login_required
def second_factor_setup(request):
    """Enrol an authenticator app: scan the QR code (or type the key), confirm with a code.
    An account that already has one must pass it first: a stolen password alone cannot replace
    the authenticator."""
    user = request.user
    if second_factor.authenticator(user) is not None and not user.is_verified():
        return redirect(f"{reverse('accounts:second-factor-verify')}?next="
                        f"{reverse('accounts:second-factor-setup')}")
    device = second_factor.enrolment_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = second_factor.enrolment_confirm(request, form.cleaned_data["code"])
        if codes is not None:
            return render(request, "accounts/recovery_codes.html",
                          {"codes": codes, "next": _next_url(request), "enrolled": True})
        form.add_error("code", _("This code is wrong or expired: check the clock of your "
                                 "phone and enter the code it shows now."))
    return render(request, "accounts/second_factor_setup.html", {
        "form": form, "qr_svg": second_factor.qr_svg(device),
        "secret": second_factor.secret_base32(device), "next": _next_url(request),
        "mandatory": second_factor.mandatory_for(user)},
        status=400 if request.method == "POST" else 200)


@login_required
def second_factor_verify(request):
    user = request.user
    if user.is_verified() or not second_factor.required_for(user):
        return redirect(_next_url(request))
    if second_factor.authenticator(user) is None:
        return redirect(f"{reverse('accounts:second-factor-setup')}?next={_next_url(request)}")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        verdict = second_factor.verify(request, form.cleaned_data["code"])
        if verdict.ok:
            if isinstance(verdict.device, second_factor.StaticDevice):
                left = second_factor.recovery_codes_left(user)
                messages.warning(request, _("You signed in with a recovery code: %(left)d left. "
                                            "Make new ones from your account page.")
                                 % {"left": left})
            return redirect(_next_url(request))
        form.add_error("code", verdict.error)
    return render(request, "accounts/second_factor_verify.html",
                  {"form": form, "next": _next_url(request)},
                  status=400 if form.is_bound else 200)


@require_POST
@login_required
def recovery_codes_renew(request):
    if not request.user.is_verified():
        raise PermissionDenied
    codes = second_factor.recovery_codes_new(request.user)
    return render(request, "accounts/recovery_codes.html",
                  {"codes": codes, "next": reverse("accounts:security"), "enrolled": False})


@require_POST
@login_required
def second_factor_disable(request):
    """An enterprise user turns it off with a current code; officers cannot."""
    user = request.user
    if second_factor.mandatory_for(user) or not user.is_verified():
        raise PermissionDenied
    form = CodeForm(request.POST)
    verdict = second_factor.check(user, form.data.get("code", ""))
    if not verdict.ok:
        messages.error(request, verdict.error)
        return redirect("accounts:security")
    second_factor.disable(user)
    request.session[second_factor.SESSION_REQUIRED_KEY] = False
    messages.success(request, _("The second factor is off for your account."))
    return redirect("accounts:security")


# --- one's account ------------------------------------------------------------------------------
@login_required
def security(request):
    user = request.user
    return render(request, "accounts/security.html", {
        "authenticator": second_factor.authenticator(user),
        "recovery_left": second_factor.recovery_codes_left(user),
        "mandatory": second_factor.mandatory_for(user),
        "can_manage_tokens": tokens.can_manage(user),
        "idle_minutes": settings.SESSION_IDLE_TIMEOUT_MINUTES,
    })


@require_POST
@login_required
def sign_out_everywhere(request):
    """Every session of this user ends (their auth hash includes the moment), and the API token
    a person obtained with the password is deleted; integration tokens are the enterprise's and
    are revoked one by one."""
    user = request.user
    with transaction.atomic():
        user.sessions_revoked_at = timezone.now()
        user.save(update_fields=["sessions_revoked_at"])
        Token.objects.filter(user=user).delete()
    logout(request)
    messages.success(request, _("You are signed out on every device."))
    return redirect("login")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form):
        response = super().form_valid(form)  # other sessions end: the password is in the hash
        Token.objects.filter(user=self.request.user).delete()
        messages.success(self.request, _("Your password is changed; your other sessions are "
                                         "signed out."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = LocalizedPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The link works once (Django's token covers the password and the last sign-in) and for
    PASSWORD_RESET_TIMEOUT seconds; the new password follows the password rules."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        Token.objects.filter(user=form.user).delete()
        return response


# --- integration tokens -------------------------------------------------------------------------
def _token_manager(request):
    if not tokens.can_manage(request.user):
        raise PermissionDenied
    return request.user


@login_required
def token_list(request):
    user = _token_manager(request)
    form = TokenForm(request.POST or None)
    issued_key = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                token, issued_key = tokens.token_issue(user, name=form.cleaned_data["name"],
                                                       days=form.cleaned_data["days"])
            except FieldErrors as errors:
                for field, problems in errors.fields.items():
                    for problem in problems:
                        form.add_error(field, problem)
            else:
                form = TokenForm()
                status = 201
        if issued_key is None:
            status = 400
    return render(request, "accounts/tokens.html", {
        "form": form, "issued_key": issued_key, "tokens": tokens.tokens_of(user.enterprise),
        "now": timezone.now()}, status=status)


@require_POST
@login_required
def token_revoke(request, pk: int):
    user = _token_manager(request)
    try:
        token = tokens.token_revoke(user, pk)
    except IntegrationToken.DoesNotExist:
        raise Http404 from None
    messages.success(request, _("Token \"%(name)s\" is revoked: the system using it gets "
                                "401 from now on.") % {"name": token.name})
    return redirect("accounts:tokens")
