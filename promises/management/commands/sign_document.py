"""Sign the newest version of a period's (or an agreement's) document for one signatory,
with the key of the signatory's organisation."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from promises.documents import services
from promises.models import Agreement, PromisePeriod
from promises.rules import may_sign


class Command(BaseCommand):
    help = "Sign a period's or agreement's document for one of its signatories."

    def add_arguments(self, parser):
        parser.add_argument("owner_id", type=int)
        parser.add_argument("--agreement", action="store_true",
                            help="The id is an agreement's, not a period's.")
        parser.add_argument("--signatory", type=int, required=True,
                            help="The signatory's id (listed when it is missing or wrong).")
        parser.add_argument("--as-user", required=True,
                            help="Who applies the signature (must hold the signer role).")

    def handle(self, *args, owner_id, agreement, signatory, as_user, **options):
        model = Agreement if agreement else PromisePeriod
        owner = model.objects.filter(pk=owner_id).first()
        if owner is None:
            raise CommandError(f"There is no {model._meta.verbose_name} {owner_id}.")
        User = get_user_model()
        user = User.objects.filter(**{User.USERNAME_FIELD: as_user}).first()
        if user is None:
            raise CommandError(f"No user named {as_user!r}.")
        chosen = owner.signatories.filter(pk=signatory).first()
        if chosen is None:
            listing = ", ".join(f"{s.pk}: {s}" for s in owner.signatories.all()) or "none"
            raise CommandError(f"Signatory {signatory} does not sign this document "
                               f"(its signatories: {listing}).")
        if not may_sign(user, chosen):
            raise CommandError(f"{as_user} may not sign for {chosen}.")
        try:
            document = services.sign_document(owner, signatory=chosen, by=user)
        except services.DocumentError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Signed for {document.signed_for}: version {document.version}, "
            f"{document.signature_count} signatures, {document.file.name}\n"
            f"SHA-256 {document.sha256}"
        )
