"""The national overview: every municipality of the country, whether it has a medborgarlöfte
in force, with which police area, how many promises, and how its latest published tertial
went. A fixed number of queries, however many municipalities, periods and promises.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followup.models import TertialReport
from followup.progress import NOT_REPORTED, latest_summaries
from followup.tertials import Tertial
from municipalities.models import County, Municipality, PoliceArea, PoliceRegion
from promises.models import PeriodMunicipality, Promise, PromisePeriod


@dataclass
class OverviewRow:
    municipality: Municipality
    period: PromisePeriod | None  # the published period in force, if any
    police_area: str
    promise_count: int | None
    tertial: Tertial | None  # the latest tertial with a published report
    followed_up: int | None  # promises with a status reported in that tertial
    on_track: int | None  # completed, done and continuing, or ongoing
    reported_on: object  # when that report was published (a date), or None

    @property
    def followed_up_share(self):
        if not self.promise_count or self.followed_up is None:
            return None
        return round(100 * self.followed_up / self.promise_count)

    @property
    def on_track_share(self):
        if not self.promise_count or self.on_track is None:
            return None
        return round(100 * self.on_track / self.promise_count)


SWEDISH_ORDER = str.maketrans({"å": "z\x01", "ä": "z\x02", "ö": "z\x03", "é": "e"})


def swedish(text):
    """A sort key that puts å, ä and ö after z, in that order, as Swedish does."""
    return text.lower().translate(SWEDISH_ORDER) if text else None


# (key, label, value to sort by): every column sorts, blanks last.
COLUMNS = [
    ("municipality", _("Municipality"), lambda r: swedish(r.municipality.name)),
    ("county", _("County"), lambda r: swedish(r.municipality.county.name)),
    ("police_area", _("Police area"), lambda r: swedish(r.police_area)),
    ("period", _("Current citizen promise"),
     lambda r: swedish(r.period.title) if r.period else None),
    ("promises", _("Promises"), lambda r: r.promise_count),
    ("tertial", _("Latest tertial"), lambda r: r.tertial),
    ("followed_up", _("Followed up"), lambda r: r.followed_up_share),
    ("on_track", _("Completed or under way"), lambda r: r.on_track_share),
    ("reported_on", _("Last report"), lambda r: r.reported_on),
]
SORT_KEYS = {key: value for key, _label, value in COLUMNS}


@dataclass
class Filters:
    county: County | None
    region: PoliceRegion | None
    sort: str
    descending: bool

    def query(self, **changes):
        """The GET parameters of these filters, with `changes`, for links."""
        params = {
            "lan": self.county.code if self.county else "",
            "region": self.region.slug if self.region else "",
            "sortera": self.sort, "ordning": "fallande" if self.descending else "",
        }
        params.update(changes)
        return {key: value for key, value in params.items() if value}


def read_filters(params, counties, regions):
    """The filters in a request's GET parameters; unknown values are ignored."""
    county = next((c for c in counties if c.code == params.get("lan")), None)
    region = next((r for r in regions if r.slug == params.get("region")), None)
    sort = params.get("sortera") if params.get("sortera") in SORT_KEYS else "municipality"
    return Filters(county, region, sort, params.get("ordning") == "fallande")


def current_periods(today):
    return PromisePeriod.objects.published().current(today)


def periods_with_parties(periods):
    return list(
        periods.select_related("police_area")
        .prefetch_related(Prefetch("municipalities", queryset=Municipality.objects.only("pk")))
        .order_by("-valid_from", "pk")
    )


def latest_reports(periods):
    """{period id: its latest published tertial report} (`periods`: a queryset)."""
    latest = {}
    for report in TertialReport.objects.public().filter(period__in=periods).order_by(
        "year", "tertial"
    ):
        latest[report.period_id] = report
    return latest


def overview_rows(today, filters=None):
    """One row per municipality (filtered and sorted as asked)."""
    municipalities = Municipality.objects.select_related("county__police_region").prefetch_related(
        Prefetch("police_areas", queryset=PoliceArea.objects.only("pk", "name").order_by("name"))
    )
    filters = filters or Filters(None, None, "municipality", False)
    if filters.county:
        municipalities = municipalities.filter(county=filters.county)
    if filters.region:
        municipalities = municipalities.filter(county__police_region=filters.region)
    current = current_periods(today)
    periods = periods_with_parties(current)
    reports = latest_reports(current)
    summaries = latest_summaries(current, reports)
    period_of = {}
    for period in periods:  # the newest period in force wins where there are several
        for municipality in period.municipalities.all():
            period_of.setdefault(municipality.pk, period)
    rows = []
    for municipality in municipalities:
        period = period_of.get(municipality.pk)
        rows.append(row_for(municipality, period, summaries, reports))
    return sorted_rows(rows, filters.sort, filters.descending)


def row_for(municipality, period, summaries, reports):
    areas = ", ".join(area.name for area in municipality.police_areas.all())
    if period is None:
        return OverviewRow(municipality, None, areas, None, None, None, None, None)
    report = reports.get(period.pk)
    summary = summaries.get(period.pk)
    promise_count = summary.total if summary else 0
    if summary is None or summary.tertial is None:
        summary = None
    return OverviewRow(
        municipality=municipality,
        period=period,
        police_area=period.police_area.name,
        promise_count=promise_count,
        tertial=summary.tertial if summary else None,
        followed_up=summary.total - summary.counts[NOT_REPORTED] if summary else None,
        on_track=summary.on_track if summary else None,
        reported_on=(
            timezone.localdate(report.published_at) if report and report.published_at else None
        ),
    )


def sorted_rows(rows, sort, descending):
    value = SORT_KEYS[sort]
    present = [row for row in rows if value(row) is not None]
    blank = [row for row in rows if value(row) is None]
    present.sort(key=lambda row: swedish(row.municipality.name))
    present.sort(key=value, reverse=descending)
    return present + blank


@dataclass
class Totals:
    municipalities: int
    with_current: int
    promises: int
    reported: int  # municipalities whose current period has a published tertial report


def totals(rows):
    with_current = [row for row in rows if row.period]
    return Totals(
        municipalities=len(rows),
        with_current=len(with_current),
        promises=sum(row.promise_count or 0 for row in with_current),
        reported=sum(1 for row in with_current if row.tertial),
    )


def national_totals(today):
    """The overview's totals without its rows, for the home page: four queries, whether or
    not any period is in force."""
    current = PromisePeriod.objects.published().current(today)
    municipalities_of = {}
    for period_id, municipality_id in PeriodMunicipality.objects.filter(
        period__in=current
    ).values_list("period_id", "municipality_id"):
        municipalities_of.setdefault(period_id, set()).add(municipality_id)
    reported = set(
        TertialReport.objects.public().filter(period__in=current)
        .values_list("period_id", flat=True)
    )
    return Totals(
        municipalities=Municipality.objects.count(),
        with_current=len(set().union(*municipalities_of.values())),
        promises=Promise.objects.filter(period__in=current).count(),
        reported=len(set().union(*(
            ids for period_id, ids in municipalities_of.items() if period_id in reported
        ))),
    )
