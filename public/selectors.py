"""A period with everything its public page and its exports show, fetched in a fixed number
of queries whatever the period holds, and arranged the way the page reads it.

Citizens only ever get public follow-ups and measurements (`FollowUp.objects.public()`,
`Measurement.objects.public()`); an editor's preview gets every one, marked.
"""

from dataclasses import dataclass, field

from django.db.models import F, FilteredRelation, Prefetch, Q, prefetch_related_objects
from django.urls import reverse

from followup.models import FollowUp, Measurement, TertialReport, YearEndComment
from promises.models import Activity, Indicator, Party, Promise, PromisePeriod

TERTIALS = (1, 2, 3)
# Shapes as well as colours, so the status never rests on colour alone.
STATUS_MARKERS = {
    FollowUp.Status.NOT_STARTED: "○",
    FollowUp.Status.ONGOING: "◐",
    FollowUp.Status.DONE_CONTINUING: "●",
    FollowUp.Status.COMPLETED: "✔",
    FollowUp.Status.POSTPONED: "‖",
}
PARTY_ORDER = [Party.POLICE, Party.MUNICIPALITY, Party.JOINT]


def followups(*, preview):
    queryset = FollowUp.objects.all() if preview else FollowUp.objects.public()
    return queryset.defer("internal_note").order_by("year", "tertial")


def measurements(*, preview):
    queryset = Measurement.objects.all() if preview else Measurement.objects.public()
    return queryset.defer("internal_note").order_by("year", "tertial")


def promise_children(*, preview, year=None, tertial=None):
    """A promise's activities with follow-ups and indicators with measurements, in order."""
    followup_qs = followups(preview=preview)
    measurement_qs = measurements(preview=preview)
    if year is not None:
        followup_qs = followup_qs.filter(year=year, tertial=tertial)
        measurement_qs = measurement_qs.filter(year=year, tertial=tertial)
    return [
        Prefetch(
            "activities",
            queryset=Activity.objects.order_by("order", "pk").prefetch_related(
                Prefetch("followups", queryset=followup_qs)
            ),
        ),
        Prefetch(
            "indicators",
            queryset=Indicator.objects.order_by("order", "pk").prefetch_related(
                Prefetch("measurements", queryset=measurement_qs)
            ),
        ),
    ]


def promise_prefetches(*, preview, year=None, tertial=None):
    """Promises with activities, follow-ups, indicators and measurements, in order."""
    return Prefetch(
        "promises",
        queryset=Promise.objects.order_by("order", "pk").prefetch_related(
            *promise_children(preview=preview, year=year, tertial=tertial)
        ),
    )


@dataclass
class Comment:
    year: int
    text: str


def promises_with_comments(period):
    """The period's promises, each with `.comments` (its year-end comments): one query,
    the comments joined onto their promise's row."""
    promises = {}
    rows = (
        Promise.objects.filter(period=period)
        .annotate(
            comment_year=F("year_end_comments__year"),
            comment_text=F("year_end_comments__text"),
        )
        .order_by("order", "pk", "comment_year")
    )
    for row in rows:
        promise = promises.setdefault(row.pk, row)
        if promise is row:
            promise.comments = []
        if row.comment_year is not None:
            promise.comments.append(Comment(year=row.comment_year, text=row.comment_text))
    return list(promises.values())


def export_prefetches():
    """What the open data holds for a period, besides its reports (never internal notes)."""
    return [
        "priorities",
        "focus_areas",
        "signatories",
        promise_prefetches(preview=False),
        Prefetch(
            "promises__year_end_comments",
            queryset=YearEndComment.objects.order_by("year"),
        ),
    ]


def export_queryset():
    """Published periods with everything the open data holds, public reports included."""
    return (
        PromisePeriod.objects.published()
        .select_related("municipality__county", "police_area")
        .prefetch_related(
            *export_prefetches(),
            Prefetch(
                "tertial_reports",
                queryset=TertialReport.objects.public().order_by("year", "tertial"),
            ),
        )
        .order_by("municipality__code", "valid_from", "pk")
    )


def export_period(pk):
    """One published period for the open data, in a fixed number of queries, or None."""
    period = load_period(PromisePeriod.objects.published(), pk, preview=False)
    if period is not None:
        prefetch_related_objects([period], *export_prefetches())
    return period


def with_reports(queryset, *, preview):
    """Join each period's tertial reports onto its row (one row per report), so the page
    gets the period and its report list in one query."""
    statuses = ["draft", "published"] if preview else ["published"]
    return queryset.annotate(
        report=FilteredRelation(
            "tertial_reports", condition=Q(tertial_reports__status__in=statuses)
        ),
        report_year=F("report__year"),
        report_tertial=F("report__tertial"),
        report_status=F("report__status"),
        report_published_at=F("report__published_at"),
        report_presented_on=F("report__presented_on"),
        report_summary=F("report__summary"),
    ).order_by("report_year", "report_tertial")


@dataclass
class ReportLink:
    """What a period page and the open data show of one tertial report."""

    period_id: int
    year: int
    tertial: int
    is_published: bool
    published_at: object
    presented_on: object
    summary: str

    @classmethod
    def of(cls, report):
        return cls(
            period_id=report.period_id,
            year=report.year,
            tertial=report.tertial,
            is_published=report.is_published,
            published_at=report.published_at,
            presented_on=report.presented_on,
            summary=report.summary,
        )

    def get_absolute_url(self):
        return reverse(
            "public:tertial_report",
            kwargs={"pk": self.period_id, "year": self.year, "tertial": self.tertial},
        )


@dataclass
class PartyGroup:
    party: str
    promises: list = field(default_factory=list)


@dataclass
class ActivityRow:
    activity: Activity
    cells: list


@dataclass
class YearTable:
    year: int
    rows: list


def load_period(queryset, pk, *, preview):
    """The period `pk` from `queryset` with its tertial reports, or None."""
    rows = list(
        with_reports(
            queryset.filter(pk=pk).select_related("municipality__county", "police_area"),
            preview=preview,
        )
    )
    if not rows:
        return None
    period = rows[0]
    period.report_links = [
        ReportLink(
            period_id=period.pk,
            year=row.report_year,
            tertial=row.report_tertial,
            is_published=row.report_status == "published",
            published_at=row.report_published_at,
            presented_on=row.report_presented_on,
            summary=row.report_summary,
        )
        for row in rows
        if row.report_year is not None
    ]
    return period


def fill_period(period, *, preview):
    """Fetch the period's parts (a fixed number of queries) and arrange them for the page."""
    prefetch_related_objects(
        [period], Prefetch("priorities"), Prefetch("focus_areas"), Prefetch("signatories")
    )
    promises = promises_with_comments(period)
    prefetch_related_objects(promises, *promise_children(preview=preview))
    public_tertials = {
        (link.year, link.tertial)
        for link in period.report_links
        if link.is_published and period.is_published
    }
    groups = {party: PartyGroup(party=party) for party in PARTY_ORDER}
    updated = [period.updated_at]
    for promise in promises:
        promise.year_tables = year_tables(period, promise, public_tertials, updated)
        promise.indicator_rows = indicator_rows(promise, public_tertials)
        groups[promise.party].promises.append(promise)
    updated += [link.published_at for link in period.report_links if link.published_at]
    period.party_groups = [group for group in groups.values() if group.promises]
    period.last_updated = max(updated)
    period.signatories_by_party = {
        "police": [s for s in period.signatories.all() if s.party == "police"],
        "municipality": [s for s in period.signatories.all() if s.party == "municipality"],
    }
    return period


def year_tables(period, promise, public_tertials, updated):
    """For each year of the period, one row per activity with a cell per tertial."""
    activities = list(promise.activities.all())
    if not activities:
        return []
    tables = []
    for year in period.years():
        rows = []
        for activity in activities:
            by_tertial = {
                f.tertial: f for f in activity.followups.all() if f.year == year
            }
            cells = []
            for number in TERTIALS:
                followup = by_tertial.get(number)
                if followup is not None:
                    followup.marker = STATUS_MARKERS.get(followup.status, "")
                    followup.is_public = (year, number) in public_tertials
                    updated.append(followup.updated_at)
                cells.append(followup)
            rows.append(ActivityRow(activity=activity, cells=cells))
        tables.append(YearTable(year=year, rows=rows))
    return tables


def indicator_rows(promise, public_tertials):
    indicators = list(promise.indicators.all())
    for indicator in indicators:
        indicator.rows = []
        for measurement in indicator.measurements.all():
            measurement.is_public = (measurement.year, measurement.tertial) in public_tertials
            measurement.percent = progress_percent(measurement.value, indicator.target_value)
            indicator.rows.append(measurement)
    return indicators


def progress_percent(value, target):
    """How far a value has come towards its target, 0–100, or None without a target."""
    if target is None or target <= 0:
        return None
    return max(0, min(100, round(value / target * 100)))
