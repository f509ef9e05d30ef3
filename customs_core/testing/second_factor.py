"""The second factor in tests: an authenticator the test holds, and sessions that passed it.

Officers must pass a second factor before any page works (issue 20). Most tests are about
something else: conftest makes `client.force_login(officer)` also pass the second factor, as a
real officer's sign-in does; the accounts tests sign in without it (`password_only_force_login`).
"""

from django.test.client import ClientMixin
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from customs_core.accounts import second_factor

password_only_force_login = ClientMixin.force_login


def authenticator_of(user) -> TOTPDevice:
    """The user's confirmed authenticator, set up if missing."""
    device = second_factor.authenticator(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=second_factor.AUTHENTICATOR,
                                           confirmed=True)
    return device


def code_now(device: TOTPDevice, *, offset_steps: int = 0) -> str:
    """What the authenticator app shows now (or `offset_steps` steps away)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp.time + offset_steps * device.step
    return f"{totp.token():0{device.digits}d}"


def fresh_code(device: TOTPDevice) -> str:
    """A code the device has not seen: a test may sign the same user in twice within one
    30-second step, which a real authenticator would make wait for the next code."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    device.refresh_from_db()
    return code_now(device)


def session_pass_second_factor(client, user) -> None:
    device = authenticator_of(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def force_login_with_second_factor(self, user, backend=None):
    password_only_force_login(self, user, backend)
    if second_factor.mandatory_for(user) or second_factor.enabled_for(user):
        session_pass_second_factor(self, user)


def api_token(user) -> str:
    """A person's API token key, as the token endpoint gives it: an officer has an
    authenticator set up (their token works only then)."""
    from rest_framework.authtoken.models import Token

    if second_factor.mandatory_for(user):
        authenticator_of(user)
    return Token.objects.get_or_create(user=user)[0].key
