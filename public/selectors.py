"""What the public pages read, in a fixed number of queries whatever a period holds:
periods with their parties, their tertial reports, and where each tertial stands.

Citizens only ever get published periods and the follow-up of published tertial reports;
an editor's preview gets everything, marked.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch

from followup.models import TertialReport
from followup.progress import period_tertials
from followup.tertials import Tertial
from promises.models import Signatory



def periods_for_pages(queryset):
    return queryset.select_related("police_area", "agreement").prefetch_related(
        Prefetch("municipalities"),
    )


def load_period(queryset, pk):
    """The period `pk` from `queryset`, with its parties and texts, or None."""
    return periods_for_pages(queryset.filter(pk=pk)).prefetch_related(
        "priorities", "focus_areas",
        Prefetch("signatories", queryset=Signatory.objects.select_related("municipality")),
    ).first()


def reports_of(period, *, preview):
    reports = TertialReport.objects.filter(period=period).order_by("year", "tertial")
    if not preview:
        reports = reports.filter(status="published")
    return list(reports)


@dataclass
class TertialState:
    """Where one tertial of a period stands for the reader."""

    tertial: Tertial
    report: TertialReport | None
    state: str  # "published", "draft" (preview), "not_due", "due", "late"

    @property
    def is_shown(self):
        return self.state in {"published", "draft"}


def tertial_states(period, reports, today):
    """Every tertial the period overlaps, in order, with its report and state. A tertial
    whose report is not published is not yet due until it has ended, late once it ended
    more than REPORT_LATE_WEEKS ago, and due in between."""
    by_tertial = {(r.year, r.tertial): r for r in reports}
    late_after = timedelta(weeks=settings.REPORT_LATE_WEEKS)
    states = []
    for tertial in period_tertials(period):
        report = by_tertial.get((tertial.year, tertial.number))
        if report is not None and report.is_published:
            state = "published"
        elif report is not None:
            state = "draft"
        elif tertial.end >= today:
            state = "not_due"
        elif today - tertial.end > late_after:
            state = "late"
        else:
            state = "due"
        states.append(TertialState(tertial, report, state))
    return states


def agreement_for_page(queryset, pk):
    return (
        queryset.filter(pk=pk).select_related("police_area")
        .prefetch_related("municipalities", "sections", "focus_areas", "signatories")
        .first()
    )


def periods_of_agreement(agreement, user_queryset):
    return list(
        periods_for_pages(user_queryset.filter(agreement=agreement)).order_by("valid_from")
    )


