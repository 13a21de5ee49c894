"""The national overview: every municipality of the country, whether it has a medborgarlöfte
in force, with which police area, how many promises, and how its latest published tertial
went; and the national figures the home page leads with. Read from the roll-up
(public/rollup.py) as plain values, in a fixed number of queries however many
municipalities, periods and promises there are.
"""

from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import Case, Count, IntegerField, Max, Q, Sum, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followup.models import ON_TRACK
from followup.progress import NOT_REPORTED
from followup.tertials import Tertial
from municipalities.models import Municipality, PoliceArea
from public.addresses import addresses
from public.models import PeriodRollup
from public.rollup import catch_up


@dataclass(slots=True)
class OverviewRow:
    # pk, code, name, slug, url, sort_name and county (code, name, police_region: slug, name)
    municipality: SimpleNamespace
    period: "CurrentPeriod | None"  # the published period in force, if any
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
    ("municipality", _("Municipality"), lambda r: r.municipality.sort_name),
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
    county: SimpleNamespace | None  # of Places.counties
    region: SimpleNamespace | None  # of Places.regions
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


def current(today):
    """The roll-up's rows of the periods in force on `today`."""
    return PeriodRollup.objects.filter(valid_from__lte=today, valid_to__gte=today)


def police_areas_of_municipalities():
    """{municipality id: "Area A, Area B"}, the areas by name."""
    names = {}
    through = PoliceArea.municipalities.through
    for municipality_id, name in through.objects.order_by("policearea__name").values_list(
        "municipality_id", "policearea__name"
    ):
        names.setdefault(municipality_id, []).append(name)
    return {pk: ", ".join(areas) for pk, areas in names.items()}


@dataclass
class Places:
    """Every municipality as the overview shows it, and the counties and police regions
    they lie in (for the filters), by name."""

    municipalities: list  # SimpleNamespace: pk, code, name, slug, url, sort_name, county,
    # police_areas (their names, joined)
    counties: list  # SimpleNamespace: code, name, police_region
    regions: list  # SimpleNamespace: slug, name


def places():
    """Two queries: every municipality with its county and police region; the police
    areas serving them."""
    municipality_url = addresses("public:municipality")
    counties, regions, municipalities = {}, {}, []
    areas_of = police_areas_of_municipalities()
    rows = Municipality.objects.order_by().values_list(
        "pk", "code", "name", "slug", "county__code", "county__name",
        "county__police_region__slug", "county__police_region__name",
    )
    for pk, code, name, slug, county_code, county_name, region_slug, region_name in rows:
        region = regions.get(region_slug) or regions.setdefault(
            region_slug, SimpleNamespace(slug=region_slug, name=region_name)
        )
        county = counties.get(county_code) or counties.setdefault(
            county_code, SimpleNamespace(code=county_code, name=county_name, police_region=region)
        )
        municipalities.append(SimpleNamespace(
            pk=pk, code=code, name=name, slug=slug, county=county, url=municipality_url(slug),
            sort_name=swedish(name), police_areas=areas_of.get(pk, ""),
        ))
    return Places(
        municipalities=municipalities,
        counties=sorted(counties.values(), key=lambda county: swedish(county.name)),
        regions=sorted(regions.values(), key=lambda region: swedish(region.name)),
    )


CURRENT_FIELDS = (
    "municipality_id", "period_id", "title", "valid_from", "valid_to", "police_area_name",
    "promise_count", "latest_year", "latest_tertial", "reported_at", "status_counts",
)


def overview_rows(today, filters=None, every=None):
    """One row per municipality (filtered and sorted as asked): three queries, one if
    `every` (places()) was read already."""
    catch_up()
    every = every or places()
    filters = filters or Filters(None, None, "municipality", False)
    period_of = {}
    # The newest period in force wins where a municipality has several.
    for row in current(today).order_by("-valid_from", "period_id").values(*CURRENT_FIELDS):
        period_of.setdefault(row["municipality_id"], row)
    period_url = addresses("public:period")
    county = filters.county.code if filters.county else None
    region = filters.region.slug if filters.region else None
    rows = [
        row_for(place, period_of.get(place.pk), period_url)
        for place in every.municipalities
        if (county is None or place.county.code == county)
        and (region is None or place.county.police_region.slug == region)
    ]
    return sorted_rows(rows, filters.sort, filters.descending)


@dataclass(slots=True)
class CurrentPeriod:
    """The period in force, as the overview shows it."""

    pk: int
    title: str
    valid_from: object
    valid_to: object
    url: str

    def get_absolute_url(self):
        return self.url


def row_for(place, period, period_url):
    if period is None:
        return OverviewRow(place, None, place.police_areas, None, None, None, None, None)
    counts = period["status_counts"]
    reported = period["latest_year"] is not None
    return OverviewRow(
        municipality=place,
        period=CurrentPeriod(
            pk=period["period_id"], title=period["title"], valid_from=period["valid_from"],
            valid_to=period["valid_to"], url=period_url(period["period_id"]),
        ),
        police_area=period["police_area_name"],
        promise_count=period["promise_count"],
        tertial=Tertial(period["latest_year"], period["latest_tertial"]) if reported else None,
        followed_up=(
            period["promise_count"] - counts.get(NOT_REPORTED, 0) if reported else None
        ),
        on_track=sum(counts.get(status, 0) for status in ON_TRACK) if reported else None,
        reported_on=timezone.localdate(period["reported_at"]) if reported else None,
    )


def sorted_rows(rows, sort, descending):
    """By the column `sort`, then by name; rows without a value in that column last."""
    rows = sorted(rows, key=lambda row: row.municipality.sort_name)
    if sort == "municipality":
        return rows[::-1] if descending else rows
    value = SORT_KEYS[sort]
    keyed = [(value(row), row) for row in rows]
    present = [pair for pair in keyed if pair[0] is not None]
    present.sort(key=lambda pair: pair[0], reverse=descending)
    return [row for _key, row in present] + [row for key, row in keyed if key is None]


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


@dataclass
class NationalFigures:
    totals: Totals
    municipalities: list  # [(name, address, whether it has a period in force)], A to Ö
    recent: list  # the five periods published last: {title, url, municipality_names, ...}
    period_count: int


def national_figures(today):
    """The home page's figures: the overview's totals without its rows, every municipality
    with a published period, the periods published last. Three queries."""
    catch_up()
    in_force = Q(valid_from__lte=today, valid_to__gte=today)
    flag = {"default": 0, "output_field": IntegerField()}
    place_in_force = Q(period_rollups__valid_from__lte=today,
                       period_rollups__valid_to__gte=today)
    # Annotated before the values are chosen, so PostgreSQL groups by the primary key.
    places = list(
        Municipality.objects.order_by().annotate(
            published=Count("period_rollups"),
            in_force=Max(Case(When(place_in_force, then=1), **flag)),
            reported=Max(Case(
                When(place_in_force & Q(period_rollups__latest_year__isnull=False), then=1),
                **flag,
            )),
        ).values_list("name", "slug", "published", "in_force", "reported")
    )
    municipality_url = addresses("public:municipality")
    published = sorted(
        ((name, municipality_url(slug), in_force)
         for name, slug, periods, in_force, _reported in places if periods),
        key=lambda place: swedish(place[0]),
    )
    periods = PeriodRollup.objects.filter(first_of_period=True)
    counted = periods.aggregate(
        periods=Count("pk"), promises=Sum("promise_count", filter=in_force, default=0),
    )
    period_url = addresses("public:period")
    recent = [
        {**row, "url": period_url(row["period_id"])}
        for row in periods.order_by("-published_at", "-period_id").values(
            "period_id", "title", "municipality_names", "published_at"
        )[:5]
    ]
    return NationalFigures(
        totals=Totals(
            municipalities=len(places),
            with_current=sum(1 for *_, in_force, _reported in places if in_force),
            promises=counted["promises"],
            reported=sum(1 for *_, reported in places if reported),
        ),
        municipalities=published,
        recent=recent,
        period_count=counted["periods"],
    )
