"""Grant (or with --revoke, take back) a role: `grant USERNAME --municipality CODE --role
coordinator`. A police role may name a police area instead (--police-area NAME); named
with a municipality, it covers that municipality's periods."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from municipalities.models import Membership, Municipality, PoliceArea, Role



class Command(BaseCommand):
    help = (
        "Give a user a role in a municipality or a police area (and access to the admin). "
        "Roles: coordinator, lead, police, publisher, signer, reviewer; 'admin' (national, "
        "no place). --create makes a plain user first (they set a password by e-mail)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=[str(r.value) for r in Role])
        parser.add_argument("--create", action="store_true",
                            help="Create the user if missing (with --email), without a "
                                 "password: they choose one through “Forgot password?”.")
        parser.add_argument("--email", help="The new user's e-mail address (with --create).")
        where = parser.add_mutually_exclusive_group()
        where.add_argument("--municipality", metavar="CODE",
                           help="Four-digit municipality code, e.g. 0483 for Katrineholm.")
        where.add_argument("--police-area", metavar="NAME",
                           help="Police area name, e.g. 'Lokalpolisområde Katrineholm' "
                                "(the word Lokalpolisområde may be left out).")
        parser.add_argument("--revoke", action="store_true", help="Remove the role instead.")

    # One transaction: a refused grant leaves no user created by --create behind.
    @transaction.atomic
    def handle(self, *args, username, role, municipality, police_area, revoke, create=False,
               email=None, **options):
        user = self.create_user(username, email) if create else self.find_user(username)
        place = {"municipality": None, "police_area": None}
        if role == Role.NATIONAL_ADMIN:
            if municipality or police_area:
                raise CommandError("A national administrator has no municipality or police area.")
        elif municipality:
            place["municipality"] = self.find_municipality(municipality)
        elif police_area:
            place["police_area"] = self.find_police_area(police_area)
        else:
            raise CommandError(f"Say where the {role} role applies: --municipality CODE or "
                               "--police-area NAME.")
        where = place["municipality"] or place["police_area"] or "the whole country"
        with transaction.atomic():
            existing = Membership.objects.filter(user=user, role=role, **place)
            if revoke:
                if not existing.exists():
                    raise CommandError(f"{username} has no {role} role in {where}.")
                for membership in existing:
                    membership.delete()
                self.stdout.write(self.style.SUCCESS(f"Revoked: {username} is no longer "
                                                     f"{role} in {where}."))
                return
            if existing.exists():
                self.stdout.write(f"{username} already is {role} in {where}; nothing changed.")
            else:
                Membership.objects.create(user=user, role=role, **place)
                self.stdout.write(self.style.SUCCESS(f"Granted: {username} is {role} in {where}."))
            if not user.is_staff:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
                self.stdout.write(f"{username} may now log in to the admin.")

    def find_user(self, username):
        User = get_user_model()
        try:
            return User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(
                f"No user named {username!r}. Add --create --email ADDRESS to create a plain "
                f"user (they choose a password through “Forgot password?”), or create one "
                f"in the admin under Users."
            ) from None

    def create_user(self, username, email):
        User = get_user_model()
        existing = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
        if existing is not None:
            return existing
        if not email:
            raise CommandError("--create needs --email: the new user sets a password by e-mail.")
        user = User(**{User.USERNAME_FIELD: username}, email=email, is_staff=True)
        user.set_unusable_password()
        user.save()
        self.stdout.write(f"Created user {username} ({email}) without a password.")
        return user

    def find_municipality(self, code):
        municipality = Municipality.objects.filter(code=code.strip()).first()
        if municipality is None:
            hint = Municipality.objects.filter(name__iexact=code.strip()).first()
            extra = f" Did you mean {hint.code} ({hint.name})?" if hint else ""
            raise CommandError(
                f"No municipality with code {code!r}; the code is four digits.{extra}"
            )
        return municipality

    def find_police_area(self, name):
        name = name.strip()
        area = (PoliceArea.objects.filter(name__iexact=name).first()
                or PoliceArea.objects.filter(name__iexact=f"Lokalpolisområde {name}").first())
        if area is None:
            raise CommandError(f"No police area named {name!r}.")
        return area
