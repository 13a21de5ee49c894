"""Render the pages citizens are given ready-made, without the worker: every published
period's page (public/period_pages.py), the home page, the national overview and every
municipality's page (public/site_pages.py). After an installation or an upgrade (a new
release renders its pages anew), nightly from cron (so that pages whose tertials changed
state, or whose periods came into force, at midnight are ready before visitors), and in
bench/ before the pages are measured. Pages already current are skipped. The worker renders
the pages a change touches after every change anyway.

    python manage.py render_pages
"""

from django.core.management.base import BaseCommand

from public import period_pages, site_pages


class Command(BaseCommand):
    help = ("Render the period pages, the home page, the national overview and the "
            "municipality pages ahead of their visitors.")

    def handle(self, *args, **options):
        period_pages.add_missing()
        site_pages.add_missing()
        periods = period_pages.render()
        others = site_pages.render()
        self.stdout.write(f"Rendered {periods} period pages and {others} other pages.")
