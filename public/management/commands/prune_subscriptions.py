"""Delete subscription requests not confirmed within seven days (the privacy page promises
it), and look after notices a stopped worker left behind. Meant for cron, daily:

    15 3 * * *  cd /srv/medborgarloften && .venv/bin/python manage.py prune_subscriptions
"""

from django.core.management.base import BaseCommand

from public.models import CONFIRMATION_DAYS
from public.subscriptions import prune


class Command(BaseCommand):
    help = (
        f"Delete subscriptions not confirmed within {CONFIRMATION_DAYS} days; queue again "
        "notices whose task was lost."
    )

    def handle(self, *args, **options):
        counts = prune()
        self.stdout.write(
            f"Deleted {counts['expired']} unconfirmed subscriptions older than "
            f"{CONFIRMATION_DAYS} days; queued {counts['requeued']} waiting notices again; "
            f"marked {counts['stuck']} notices a stopped worker left half-sent as failed."
        )
