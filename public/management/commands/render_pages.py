"""Render the pages citizens are given ready-made, without the worker: every published
period's page (public/period_pages.py), the home page, the national overview, the page of
every municipality with a published period and the search form's lists of places
(public/site_pages.py). After an installation or an upgrade (a new release renders its
pages anew), nightly from cron (so that pages whose tertials changed state, or whose periods
came into force, at midnight are ready before visitors), and in bench/ before the pages are
measured. Pages already current are skipped: the worker renders the pages a change touches
after every change anyway.

    python manage.py render_pages          # the pages that are not current
    python manage.py render_pages --all    # every page again (a repair: see docs/deploy.md)
"""

from django.core.management.base import BaseCommand

from public import period_pages, site_pages


class Command(BaseCommand):
    help = ("Render the period pages, the home page, the national overview, the "
            "municipality pages and the search form's lists ahead of their visitors.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true",
            help="Render every page again, current or not (after a change whose marking "
                 "failed, which the worker's log shows).",
        )

    def handle(self, *args, **options):
        if options["all"]:
            period_pages.mark(None)
            site_pages.mark(None, None)
        period_pages.add_missing()
        site_pages.add_missing()
        periods = period_pages.render()
        others = site_pages.render()
        self.stdout.write(f"Rendered {periods} period pages and {others} other pages.")
