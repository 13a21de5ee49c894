"""python manage.py load_demo: the Katrineholm periods, and a local demo administrator."""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from followup.demo.katrineholm import MUNICIPALITY_CODE
from followup.demo.loader import load_demo
from municipalities.models import Membership, Role
from promises.models import PromisePeriod

DEMO_ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = "Load the real Katrineholm documents as published demo periods (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-admin", action="store_true",
            help="Do not create the local demo administrator.",
        )

    def handle(self, *args, no_admin=False, **options):
        created = load_demo()
        for title in created:
            self.stdout.write(f"Created period: {title}")
        if not created:
            self.stdout.write("Demo periods already present; nothing changed.")
        if not no_admin:
            self.create_demo_admin()

    def create_demo_admin(self):
        if not settings.DEMO_ADMIN_ALLOWED:
            self.stdout.write(
                "No demo administrator: DJANGO_DEBUG is off (production). "
                "Use `python manage.py createsuperuser`."
            )
            return
        User = get_user_model()
        if User.objects.filter(username=DEMO_ADMIN_USERNAME).exists():
            self.stdout.write(
                f"Demo administrator “{DEMO_ADMIN_USERNAME}” already exists "
                f"(reset its password with `python manage.py changepassword "
                f"{DEMO_ADMIN_USERNAME}`)."
            )
            return
        password = secrets.token_urlsafe(12)
        admin = User.objects.create_superuser(DEMO_ADMIN_USERNAME, "", password)
        # Signing needs an explicit signer role, so the demo can be signed end to end.
        # Approving for publication is a party's own too (PORTAL_DUAL_APPROVAL): the demo
        # administrator approves for the municipality; the police area's publisher is
        # another person (`grant NAME --create --police-area … --role publisher`).
        for period in PromisePeriod.objects.filter(municipalities__code=MUNICIPALITY_CODE):
            for municipality in period.municipalities.all():
                for role in (Role.SIGNER, Role.PUBLISHER):
                    Membership.objects.get_or_create(user=admin, role=role,
                                                     municipality=municipality)
            Membership.objects.get_or_create(user=admin, role=Role.SIGNER,
                                             police_area=period.police_area)
        self.stdout.write(self.style.WARNING(
            f"Demo administrator for local use only: username “{DEMO_ADMIN_USERNAME}”, "
            f"password “{password}”"
        ))
