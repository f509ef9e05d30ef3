"""The demo officers' current authenticator code (the demo key is public, like the demo
password): for trying the demo without an authenticator app."""

from django.core.management.base import BaseCommand
from django_otp.oath import TOTP

from customs_core.demo import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the current code of the demo officers' authenticator (demo data only)."

    def handle(self, *args, **options):
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY), step=30, digits=6)
        seconds_left = 30 - int(totp.time) % 30
        self.stdout.write(f"{totp.token():06d}  (valid {seconds_left} s more)")
