"""Email each coordinator what follow-up is missing for tertials that end within 14 days or
have ended (see followup/reminders.py). Meant for cron, e.g. every Monday:

    0 7 * * 1  cd /srv/medborgarloften && .venv/bin/python manage.py send_followup_reminders
"""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.core.management.base import BaseCommand, CommandError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from followup.reminders import reminders_by_user


class Command(BaseCommand):
    help = "Email coordinators about missing tertial follow-up (Swedish text)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true",
                            help="Print the emails instead of sending them.")
        parser.add_argument("--date", help="Pretend today is this date (YYYY-MM-DD).")

    def handle(self, *args, dry_run, date, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date must look like 2026-04-30, not {date!r}.") from None
        reminders = reminders_by_user(today)
        sent = 0
        with translation.override("sv"):
            for user, items in sorted(reminders.items(), key=lambda pair: pair[0].get_username()):
                subject, body = self.compose(user, items)
                if dry_run:
                    self.stdout.write(f"To: {user.email}\nSubject: {subject}\n\n{body}\n{'-' * 60}")
                    continue
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
                sent += 1
        if dry_run:
            self.stdout.write(f"Dry run: {len(reminders)} emails would be sent.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Sent {sent} reminder emails."))

    def compose(self, user, items):
        site = settings.SITE_URL.rstrip("/")
        context = {
            "user": user,
            "name": user.get_full_name() or user.get_username(),
            "items": [
                {
                    "missing": item,
                    "url": site + reverse("admin:followup_tertial", args=[
                        item.period.pk, item.tertial.year, item.tertial.number]),
                }
                for item in items
            ],
        }
        subject = render_to_string("followup/reminder_subject.txt", context).strip()
        body = render_to_string("followup/reminder_email.txt", context)
        return subject, body
