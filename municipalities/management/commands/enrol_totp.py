"""Give a staff user a TOTP authenticator (the second factor DJANGO_REQUIRE_2FA asks for)."""

import base64

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Create a TOTP device for USERNAME and print the otpauth:// address and the secret "
        "to type into an authenticator app. --replace removes the user's earlier devices."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="Authenticator app")
        parser.add_argument("--replace", action="store_true")

    def handle(self, *args, username, name, replace, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        with transaction.atomic():
            if replace:
                TOTPDevice.objects.filter(user=user).delete()
            elif TOTPDevice.objects.filter(user=user, confirmed=True).exists():
                raise CommandError(
                    f"{username} already has an authenticator; use --replace to change it."
                )
            device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        secret = base64.b32encode(device.bin_key).decode()
        self.stdout.write(f"Device {device.name!r} created for {username}.")
        self.stdout.write(f"Secret (type it into the app): {secret}")
        self.stdout.write(f"Or open/scan this address: {device.config_url}")
