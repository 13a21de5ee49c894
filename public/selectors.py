"""What the public pages read, in a fixed number of queries whatever a period holds:
periods with their parties, their tertial reports, and where each tertial stands.

Citizens only ever get published periods and the follow-up of published tertial reports;
an editor's preview gets everything, marked.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Prefetch

from followup.models import TertialReport
from followup.progress import Summary, period_tertials
from followup.tertials import Tertial
from promises.models import Signatory
from public.addresses import addresses
from public.models import PeriodRollup
from public.rollup import catch_up


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




@dataclass(slots=True)
class ListedPeriod:
    """A period as the lists of periods show it (a municipality's, an agreement's): read
    from the roll-up for published periods, from the period itself for drafts."""

    pk: int
    title: str
    valid_from: object
    valid_to: object
    police_area_name: str
    municipality_names: str
    municipality_count: int
    url: str
    is_published: bool = True
    summary: Summary | None = None  # its latest published tertial (published periods)
    files: tuple = ()  # the addresses of its JSON, CSV and Excel files (published periods)

    def get_absolute_url(self):
        return self.url

    def is_current(self, today):
        return self.valid_from <= today <= self.valid_to

    @classmethod
    def of(cls, period):
        """From a period with its police area and municipalities (periods_for_pages)."""
        names = [m.name for m in period.municipalities.all()]
        return cls(
            pk=period.pk, title=period.title, valid_from=period.valid_from,
            valid_to=period.valid_to, police_area_name=period.police_area.name,
            municipality_names=", ".join(names), municipality_count=len(names),
            url=period.get_absolute_url(), is_published=period.is_published,
        )


ROLLED_UP_FIELDS = (
    "period_id", "title", "valid_from", "valid_to", "police_area_name", "municipality_names",
    "municipality_count", "promise_count", "latest_year", "latest_tertial", "status_counts",
)


def rolled_up_periods(municipality):
    """The municipality's published periods, newest first, each with the summary of its
    latest published tertial (None before the first), in one query."""
    catch_up()
    url = addresses("public:period")
    files = [addresses(f"public:period_{kind}") for kind in ("json", "csv", "xlsx")]
    return [
        ListedPeriod(
            pk=row["period_id"], title=row["title"], valid_from=row["valid_from"],
            valid_to=row["valid_to"], police_area_name=row["police_area_name"],
            municipality_names=row["municipality_names"],
            municipality_count=row["municipality_count"], url=url(row["period_id"]),
            summary=rolled_up_summary(row), files=tuple(file(row["period_id"]) for file in files),
        )
        for row in PeriodRollup.objects.filter(municipality=municipality)
        .order_by("-valid_from", "period_id").values(*ROLLED_UP_FIELDS)
    ]


def rolled_up_summary(row):
    if row["latest_year"] is None:
        return Summary(tertial=None, counts=Counter(), total=row["promise_count"])
    return Summary(
        tertial=Tertial(row["latest_year"], row["latest_tertial"]),
        counts=Counter(row["status_counts"]), total=row["promise_count"],
    )
