"""The second factor: a TOTP authenticator app, with single-use recovery codes (issue 20).

Every officer role must pass it before any page or token works; an enterprise user may turn it
on. django-otp keeps the devices and marks a session verified; this module decides who needs it,
enrols, verifies (with the device row locked, so one code cannot be used twice at once) and issues
recovery codes.
"""

import base64
import io
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from customs_core.roles import SECOND_FACTOR_ROLES

AUTHENTICATOR = "authenticator"
RECOVERY = "recovery"
RECOVERY_CODE_COUNT = 10
# Set on sign-in: does this session need a second factor? Saves a query on every request of an
# enterprise user who has not turned it on.
SESSION_REQUIRED_KEY = "_second_factor_required"


def mandatory_for(user) -> bool:
    return user.role in SECOND_FACTOR_ROLES


def authenticator(user, *, confirmed: bool = True) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, name=AUTHENTICATOR, confirmed=confirmed).first()


def enabled_for(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def required_for(user) -> bool:
    return mandatory_for(user) or enabled_for(user)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# --- enrolment ----------------------------------------------------------------------------------
def enrolment_device(user) -> TOTPDevice:
    """The authenticator being set up: the same secret until it is confirmed, so reloading the
    page does not change the QR code the officer is scanning."""
    device = authenticator(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode()


def qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URI as an inline SVG: no image request, nothing leaves the server."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage,
                        box_size=8, border=2)
    out = io.BytesIO()
    image.save(out)
    svg = out.getvalue().decode()
    return svg[svg.index("<svg"):]  # without the XML declaration, to inline it


def enrolment_confirm(request, code: str) -> list[str] | None:
    """Confirm the authenticator being set up with a code from it. On success the device
    replaces any earlier one, the session is verified and fresh recovery codes are returned
    (shown once); None if the code is wrong."""
    user = request.user
    with transaction.atomic():
        device = (TOTPDevice.objects.select_for_update()
                  .filter(user=user, name=AUTHENTICATOR, confirmed=False).first())
        if device is None or not device.verify_token(_digits(code)):
            return None
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_new(user)
    otp_login(request, device)
    request.session[SESSION_REQUIRED_KEY] = True
    return codes


def recovery_codes_new(user) -> list[str]:
    """Ten new single-use codes; the old ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY,
                                                          defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def disable(user) -> None:
    """An enterprise user turns the second factor off (officers cannot: it is mandatory)."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


# --- verification -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    device: TOTPDevice | StaticDevice | None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.device is not None


def check(user, code: str) -> Verdict:
    """Check a code from the authenticator (6 digits) or a recovery code. The device row is
    locked while it is checked: two requests with the same code cannot both pass (a TOTP code
    is refused once used; a recovery code is deleted)."""
    code = "".join(str(code or "").split()).lower()
    if not code:
        return Verdict(None, _("Enter the code."))
    model, name, token = ((TOTPDevice, AUTHENTICATOR, _digits(code)) if code.isdigit()
                          else (StaticDevice, RECOVERY, code))
    with transaction.atomic():
        device = (model.objects.select_for_update()
                  .filter(user=user, name=name, confirmed=True).first())
        if device is None:
            return Verdict(None, _("This code is wrong, expired or already used."))
        allowed, info = device.verify_is_allowed()
        if not allowed:
            locked_until = (info or {}).get("locked_until")
            return Verdict(None, _("Too many wrong codes: wait a moment and try again.")
                           if locked_until else _("This code cannot be checked now."))
        if device.verify_token(token):
            return Verdict(device)
    return Verdict(None, _("This code is wrong, expired or already used."))


def verify(request, code: str) -> Verdict:
    """Check the code and, if it passes, mark this session verified."""
    verdict = check(request.user, code)
    if verdict.ok:
        otp_login(request, verdict.device)
    return verdict


def _digits(code: str) -> str:
    return "".join(str(code or "").split())
