"""Render every published period's page ahead of its visitors, without the worker: after an
installation or an upgrade (a new release renders its pages anew), nightly from cron (so
that pages whose tertials changed state at midnight are ready before visitors), and in
bench/ before the period pages are measured. Pages already current are skipped. The worker
renders a period's pages after every change of what they show anyway.

    python manage.py render_period_pages
"""

from django.core.management.base import BaseCommand

from public import period_pages


class Command(BaseCommand):
    help = "Render every published period's page ahead of its visitors."

    def handle(self, *args, **options):
        period_pages.add_missing()
        self.stdout.write(f"Rendered {period_pages.render()} period pages.")
