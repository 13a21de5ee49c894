"""python manage.py generate_dataset: a deterministic national dataset for load tests."""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db.models import ProtectedError

from followup.dataset import generate_dataset


def iso_date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--today must be a date such as 2026-11-23, not {text!r}.") from None


class Command(BaseCommand):
    help = (
        "Generate promise periods with promises, activities, indicators and follow-ups for "
        "the first N municipalities (by code). The same seed gives the same data. "
        "Municipalities that already have periods are skipped unless --clear is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--municipalities", type=int, default=290)
        parser.add_argument("--years", type=int, default=10, help="Years back from today.")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--today", type=iso_date, default=None,
            help="Pretend today is this date (YYYY-MM-DD); default: today.",
        )
        parser.add_argument(
            "--clear", action="store_true",
            help="First delete every period of the chosen municipalities (demo data too).",
        )

    def handle(self, *args, municipalities, years, seed, today, clear, **options):
        if not 1 <= municipalities <= 290:
            raise CommandError("--municipalities must be between 1 and 290.")
        if not 1 <= years <= 50:
            raise CommandError("--years must be between 1 and 50.")
        self.verbosity = options["verbosity"]
        try:
            result = generate_dataset(
                municipalities=municipalities, years=years, seed=seed, today=today,
                clear=clear, progress=self.progress,
            )
        except ProtectedError:
            raise CommandError(
                "--clear cannot delete periods that have stored documents (signed PDFs)."
            ) from None
        if result.skipped:
            names = ", ".join(m.name for m in result.skipped)
            self.stdout.write(f"Skipped (already have periods; use --clear): {names}")
        total = 0
        for name, count in result.counts.items():
            self.stdout.write(f"{name:>22}: {count:>9,}".replace(",", " "))
            if name != "deleted periods":
                total += count
        self.stdout.write(f"{'rows':>22}: {total:>9,}".replace(",", " "))
        self.stdout.write(f"Done in {result.seconds:.1f} s.")

    def progress(self, done, total):
        if self.verbosity >= 2:
            self.stdout.write(f"  {done}/{total} municipalities")
