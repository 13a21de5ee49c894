"""Reminders: which follow-up is missing, and who hears about it. Each person is told only
of the rows the rules let them enter (followup/rules.py): a coordinator every row of their
periods, a police coordinator the rows the police report."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model

from followup.progress import period_progress, period_tertials
from municipalities.roles import EDITORS, POLICE_EDITORS
from promises.models import PromisePeriod

# Tertials that end within this many days are asked for already.
REMINDER_LEAD_DAYS = 14
# Older gaps are left alone: a reminder about a tertial long gone helps nobody.
REMINDER_OVERDUE_DAYS = 365


@dataclass
class MissingTertial:
    period: object
    tertial: object
    lines: list = field(default_factory=list)  # progress Lines with nothing reported

    def __bool__(self):
        return bool(self.lines)


def due_tertials(period, today):
    horizon = today + timedelta(days=REMINDER_LEAD_DAYS)
    oldest = today - timedelta(days=REMINDER_OVERDUE_DAYS)
    return [t for t in period_tertials(period) if oldest <= t.end <= horizon]


def missing_followups(today):
    """[(period, tertial, [Line])] for every draft and published period, every tertial that
    ends within REMINDER_LEAD_DAYS or ended at most REMINDER_OVERDUE_DAYS ago."""
    horizon = today + timedelta(days=REMINDER_LEAD_DAYS)
    oldest = today - timedelta(days=REMINDER_OVERDUE_DAYS)
    periods = PromisePeriod.objects.filter(
        valid_from__lte=horizon, valid_to__gte=oldest,
    ).select_related("police_area").prefetch_related("municipalities").order_by("valid_from")
    result = []
    for period in periods:
        tertials = due_tertials(period, today)
        if not tertials:
            continue
        progress = period_progress(period, public=False, tertials=tertials)
        for tertial in tertials:
            missing = MissingTertial(period, tertial, [
                line for item in progress for line in item.lines
                if not is_reported(line.at(tertial))
            ])
            if missing:
                result.append(missing)
    return result


def is_reported(followup):
    return followup is not None and followup.is_reported


def reminders_by_user(today):
    """{user: [MissingTertial with only the rows they may enter]} for every active member
    with an e-mail address who enters follow-up."""
    missing = missing_followups(today)
    if not missing:
        return {}
    users = get_user_model().objects.filter(
        is_active=True, memberships__role__in=[*EDITORS, *POLICE_EDITORS],
    ).exclude(email="").distinct()
    reminders = {}
    for user in users:
        own = []
        for item in missing:
            lines = [
                line for line in item.lines
                if user.has_perm("followup.change_followup", line.subject)
            ]
            if lines:
                own.append(MissingTertial(item.period, item.tertial, lines))
        if own:
            reminders[user] = own
    return reminders


