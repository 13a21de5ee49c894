"""Check a PDF file as the public verification page does; exit 0 only when the portal published
exactly this file and every signature in it is intact and trusted."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from promises.documents import verification


def yes_no(value):
    return "yes" if value else "NO"


class Command(BaseCommand):
    help = "Verify a PDF against the portal's documents and trust roots."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file, **options):
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from None
        try:
            result = verification.verify(data)
        except verification.TooComplex as error:
            raise CommandError(f"{file} is too complex to check ({error}).") from None
        except verification.UnreadablePdf as error:
            raise CommandError(f"{file} is not a readable PDF ({error}).") from None
        self.stdout.write(f"SHA-256: {result.sha256}")
        if result.is_known:
            document = result.document
            self.stdout.write(
                f"Known document: {result.municipality} – {result.title} – "
                f"{document.get_kind_display()} "
                f"version {document.version} ({document.signature_count} signatures), "
                f"issued {document.created_at:%Y-%m-%d %H:%M}."
            )
            if result.withdrawn_at:
                self.stdout.write(
                    f"Withdrawn: its period left the public site on "
                    f"{timezone.localtime(result.withdrawn_at):%Y-%m-%d}."
                )
        else:
            self.stdout.write(
                "NOT a published document of this portal (no published file matches)."
            )
        if not result.signatures:
            self.stdout.write("No signatures.")
        for number, signature in enumerate(result.signatures, start=1):
            self.stdout.write(
                f"Signature {number} ({signature.field_name}): {signature.signer}\n"
                f"  signed at: {signature.signed_at or 'unknown'}\n"
                f"  intact: {yes_no(signature.intact and signature.valid)}\n"
                f"  trusted by this portal: {yes_no(signature.trusted)}\n"
                f"  coverage: {signature.coverage}, modification level: "
                f"{signature.modification_level}, DocMDP ok: {signature.docmdp_ok}\n"
                f"  modified after signing: "
                f"{'YES' if signature.modified_after_signing else 'no'}"
            )
        if result.not_checked:
            self.stdout.write(f"{result.not_checked} more signatures NOT checked.")
        if not result.ok:
            raise CommandError("Verification failed.", returncode=1)
        self.stdout.write(self.style.SUCCESS("Verified."))
