"""Rebuild the roll-up behind the home page, the municipality pages and the national overview
from what is published now (after a bulk load, a restore, or to check it)."""

from django.core.management.base import BaseCommand

from public.rollup import rebuild


class Command(BaseCommand):
    help = __doc__

    def handle(self, *args, **options):
        count = rebuild()
        self.stdout.write(f"Rolled up {count} published periods.")
