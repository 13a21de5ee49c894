"""The national overview: every municipality of the country, whether it has a medborgarlöfte
in force, with which police area, how many promises, and how its latest published tertial
went; and the national figures the home page leads with. Read from the roll-up
(public/rollup.py) as plain values, in a fixed number of queries however many
municipalities, periods and promises there are.
"""

from dataclasses import dataclass
from types import SimpleNamespace

from django.db.models import (
    Case, Count, F, FilteredRelation, IntegerField, Max, Q, Sum, When,
)
from django.utils.translation import gettext_lazy as _

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


def police_areas_of_municipalities():
    """{municipality id: "Area A, Area B"}, the areas by name (a query of their own: as a
    subquery of the municipalities, PostgreSQL scanned the table once for each)."""
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
    # police_areas (their names, joined), current (the roll-up of its period in force)
    counties: list  # SimpleNamespace: code, name, police_region
    regions: list  # SimpleNamespace: slug, name


PLACE_FIELDS = (
    "pk", "code", "name", "slug", "county__code", "county__name",
    "county__police_region__slug", "county__police_region__name",
)
CURRENT_FIELDS = (
    "period_id", "title", "valid_from", "valid_to", "police_area_name", "promise_count",
    "latest_year", "latest_tertial", "reported_on", "followed_up", "on_track",
)


def places(today):
    """Two queries: every municipality with its county, police region and police areas, and
    the roll-up of its period in force on `today` (the newest, where there are several)."""
    catch_up()
    in_force = FilteredRelation("period_rollups", condition=Q(
        period_rollups__valid_from__lte=today, period_rollups__valid_to__gte=today,
    ))
    areas_of = police_areas_of_municipalities()
    rows = Municipality.objects.order_by().annotate(current=in_force).values_list(
        *PLACE_FIELDS, *(f"current__{field}" for field in CURRENT_FIELDS)
    )
    municipality_url = addresses("public:municipality")
    counties, regions, municipalities = {}, {}, {}
    width = len(PLACE_FIELDS)
    for row in rows:
        pk, code, name, slug, county_code, county_name, region_slug, region_name = row[:width]
        current = dict(zip(CURRENT_FIELDS, row[width:])) if row[width] is not None else None
        place = municipalities.get(pk)
        if place is not None:  # several periods in force: the newest
            if current and (place.current is None or (
                (-current["valid_from"].toordinal(), current["period_id"])
                < (-place.current["valid_from"].toordinal(), place.current["period_id"])
            )):
                place.current = current
            continue
        region = regions.get(region_slug) or regions.setdefault(
            region_slug, SimpleNamespace(slug=region_slug, name=region_name)
        )
        county = counties.get(county_code) or counties.setdefault(
            county_code, SimpleNamespace(code=county_code, name=county_name, police_region=region)
        )
        municipalities[pk] = SimpleNamespace(
            pk=pk, code=code, name=name, slug=slug, county=county, url=municipality_url(slug),
            sort_name=swedish(name), current=current, police_areas=areas_of.get(pk, ""),
        )
    return Places(
        municipalities=list(municipalities.values()),
        counties=sorted(counties.values(), key=lambda county: swedish(county.name)),
        regions=sorted(regions.values(), key=lambda region: swedish(region.name)),
    )


def overview_rows(today, filters=None, every=None):
    """One row per municipality (filtered and sorted as asked), from `every` (what
    places(today) read: two queries)."""
    every = every or places(today)
    filters = filters or Filters(None, None, "municipality", False)
    period_url = addresses("public:period")
    county = filters.county.code if filters.county else None
    region = filters.region.slug if filters.region else None
    rows = [
        row_for(place, place.current, period_url)
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
    year = period["latest_year"]
    return OverviewRow(
        municipality=place,
        period=CurrentPeriod(
            pk=period["period_id"], title=period["title"], valid_from=period["valid_from"],
            valid_to=period["valid_to"], url=period_url(period["period_id"]),
        ),
        police_area=period["police_area_name"],
        promise_count=period["promise_count"],
        tertial=Tertial(year, period["latest_tertial"]) if year is not None else None,
        followed_up=period["followed_up"],
        on_track=period["on_track"],
        reported_on=period["reported_on"],
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
    with a published period, the periods published last. Two queries."""
    catch_up()
    flag = {"default": 0, "output_field": IntegerField()}
    in_force = Q(period_rollups__valid_from__lte=today, period_rollups__valid_to__gte=today)
    # What is counted by period counts the first row of each (a period may have several
    # municipalities).
    first = Q(period_rollups__first_of_period=True)
    # Annotated before the values are chosen, so PostgreSQL groups by the primary key.
    places = list(
        Municipality.objects.order_by().annotate(
            rolled_up=Count("period_rollups"),
            in_force=Max(Case(When(in_force, then=1), **flag)),
            reported=Max(Case(
                When(in_force & Q(period_rollups__latest_year__isnull=False), then=1), **flag
            )),
            first_rows=Sum(Case(When(first, then=1), **flag)),
            promises_in_force=Sum(Case(
                When(in_force & first, then=F("period_rollups__promise_count")), **flag
            )),
        ).values_list(
            "name", "slug", "rolled_up", "in_force", "reported", "first_rows", "promises_in_force",
        )
    )
    municipality_url = addresses("public:municipality")
    published = sorted(
        ((name, municipality_url(slug), in_force)
         for name, slug, rolled_up, in_force, *_ in places if rolled_up),
        key=lambda place: swedish(place[0]),
    )
    period_url = addresses("public:period")
    recent = [
        {**row, "url": period_url(row["period_id"])}
        for row in PeriodRollup.objects.filter(first_of_period=True)
        .order_by("-published_at", "-period_id")
        .values("period_id", "title", "municipality_names", "published_at")[:5]
    ]
    return NationalFigures(
        totals=Totals(
            municipalities=len(places),
            with_current=sum(1 for place in places if place[3]),
            promises=sum(place[6] or 0 for place in places),
            reported=sum(1 for place in places if place[4]),
        ),
        municipalities=published,
        recent=recent,
        period_count=sum(place[5] or 0 for place in places),
    )
