"""What of the follow-up is public: a tertial's accounts and values become public when the
period's report for that tertial is published."""

from django.db import models
from django.db.models import Exists, OuterRef


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


class FollowUpQuerySet(models.QuerySet):
    def public(self):
        return self.filter(
            published_report_exists("activity__promise__period_id"),
            activity__promise__period__status__in=["published", "archived"],
        )


class MeasurementQuerySet(models.QuerySet):
    def public(self):
        return self.filter(
            published_report_exists("indicator__promise__period_id"),
            indicator__promise__period__status__in=["published", "archived"],
        )


class TertialReportQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status="published", period__status__in=["published", "archived"])
