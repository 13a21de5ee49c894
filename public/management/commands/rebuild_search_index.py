"""Write the whole search index again from what is published (public/search_index.py).

The index follows every publication and change by itself; this is for after an upgrade
that changed what it holds, a restore by other means than `restore`, or bulk writes made
outside the portal:

    .venv/bin/python manage.py rebuild_search_index
"""

import time

from django.core.management.base import BaseCommand

from public import search_index
from public.models import SearchEntry


class Command(BaseCommand):
    help = "Write the search index again from everything that is published."

    def handle(self, *args, **options):
        started = time.monotonic()
        search_index.rebuild()
        self.stdout.write(
            f"Search index: {SearchEntry.objects.count()} rows written in "
            f"{time.monotonic() - started:.1f} s."
        )
