"""What of the follow-up is public, and who reads and enters it.

A tertial's follow-ups become public when the period's report for that tertial is
published (and the period is). Police coordinators read and enter the follow-ups of rows
the police report (their own or joint); coordinators every row of their periods.
"""

from django.db.models import Exists, OuterRef, Q

from municipalities.rules import (
    ANY_ROLE, EDITORS, POLICE_EDITORS, ScopedQuerySet, filter_scope, scope_q,
)

PERIOD_PATHS = (("promise__period__municipalities", "promise__period__police_area"),)
# Rows the police report: the subject's named party, else the promise's.
POLICE_ROW = (
    Q(activity__responsible_party__in=["police", "joint"])
    | Q(indicator__reporting_party__in=["police", "joint"])
    | (
        (Q(activity__isnull=True) | Q(activity__responsible_party=""))
        & (Q(indicator__isnull=True) | Q(indicator__reporting_party=""))
        & Q(promise__party__in=["police", "joint"])
    )
)


def published_report_exists(period_path):
    from followup.models import TertialReport

    return Exists(
        TertialReport.objects.filter(
            period_id=OuterRef(period_path),
            year=OuterRef("year"),
            tertial=OuterRef("tertial"),
            status="published",
        )
    )


def police_scope(user, roles_besides_police, paths):
    """Rows of periods where the user holds one of the other roles, and police-reported rows
    where they hold the police role. None: everything."""
    whole = scope_q(user, roles_besides_police, paths)
    if whole is None:
        return None
    return whole | (scope_q(user, POLICE_EDITORS, paths) & POLICE_ROW)


class FollowUpQuerySet(ScopedQuerySet):
    scope_paths = PERIOD_PATHS

    def public(self):
        return self.filter(
            published_report_exists("promise__period_id"),
            promise__period__status="published",
        )

    def readable_by(self, user):
        return filter_scope(self, police_scope(user, ANY_ROLE - POLICE_EDITORS, self.scope_paths))

    def editable_by(self, user):
        return filter_scope(self, police_scope(user, EDITORS, self.scope_paths))

    def of_promises(self):
        return self.filter(activity__isnull=True, indicator__isnull=True)


class TertialReportQuerySet(ScopedQuerySet):
    scope_paths = (("period__municipalities", "period__police_area"),)

    def public(self):
        return self.filter(status="published", period__status="published")


class YearEndCommentQuerySet(ScopedQuerySet):
    scope_paths = PERIOD_PATHS
