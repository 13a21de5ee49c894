"""Sign the newest version of a period's agreement as the police or the municipality."""

from django.core.management.base import BaseCommand, CommandError

from promises.documents import services as documents
from promises.models import PromisePeriod, SigningParty


class Command(BaseCommand):
    help = "Sign a period's agreement as one party (the police first, then the municipality)."

    def add_arguments(self, parser):
        parser.add_argument("period_id", type=int)
        parser.add_argument("--party", required=True, choices=SigningParty.values)

    def handle(self, *args, period_id, party, **options):
        try:
            period = PromisePeriod.objects.get(pk=period_id)
        except PromisePeriod.DoesNotExist:
            raise CommandError(f"There is no period {period_id}.") from None
        try:
            document = documents.sign_agreement(period, party=party)
        except documents.DocumentError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{document.get_state_display()}: version {document.version}, "
            f"{document.file.name}\nSHA-256 {document.sha256}"
        )
