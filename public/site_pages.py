"""The home page, the national overview, the page of every municipality with a published
period, and the search form's lists of places, rendered ahead of their visitors
(`SitePage`) as the period pages are (public/period_pages.py, whose rules these follow): a
citizen's request reads one row instead of the roll-up of the whole country, which costs
ten to twenty milliseconds to read and render (bench/RESULTS.md).

- What marks them out of date: the same commits that mark period pages (the changes
  period_pages notes). Every such commit marks the national pages; a municipality's
  page when the change touches its periods, its police areas or the municipality itself;
  every municipality's page after a change to a collaboration agreement, a county or a
  police region (rare, and which municipalities they reached is not known after a delete).
- What dates them: a period coming into force or running out (`fresh_until`, the first such
  day after the render, among the periods the page lists).
- Only the overview without filters and in its own order is stored; a filtered or sorted
  overview is built as asked, as every page is for editors (who see drafts) and whenever no
  current stored page exists.

The worker renders them with the period pages (public.tasks.build_national_files), and
`manage.py render_pages` from the shell and nightly from cron.
"""

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import F, Min, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from municipalities.models import Municipality, PoliceArea
from promises.models import PeriodMunicipality
from public import frame
from public.models import PeriodRollup, SitePage
from public.period_pages import code_fingerprint, current, languages

Kind = SitePage.Kind

# Each kind's template and the partials of it that are stored (a field without one is
# stored empty: the page keeps the site's default title, or adds nothing to <head>).
TEMPLATES = {
    Kind.HOME: "public/home.html",
    Kind.OVERVIEW: "public/overview.html",
    Kind.MUNICIPALITY: "public/municipality.html",
    Kind.SEARCH_FILTERS: "public/search.html",
}
PARTS = {  # {kind: {field of SitePage: the partial stored in it}}
    Kind.HOME: {"content": "content"},
    Kind.OVERVIEW: {"title": "title", "content": "content"},
    Kind.MUNICIPALITY: {"title": "title", "head": "head", "content": "content"},
    Kind.SEARCH_FILTERS: {"content": "filters"},
}
NATIONAL = (Kind.HOME, Kind.OVERVIEW, Kind.SEARCH_FILTERS)


# --- reading ------------------------------------------------------------------------------

def stored(kind, language, today, *, slug=None):
    """{"title", "head", "content"} of the stored page of `kind` (of the municipality
    `slug`) in `language`, if it may be shown today; else None. One query, written out as
    the period pages' is (period_pages.stored)."""
    values = [kind, language, code_fingerprint(), connection.ops.adapt_datefield_value(today)]
    with connection.cursor() as cursor:
        if kind == Kind.MUNICIPALITY:
            cursor.execute(STORED_OF_MUNICIPALITY, [*values, slug])
        else:
            cursor.execute(STORED_NATIONAL, values)
        row = cursor.fetchone()
    return dict(zip(("title", "head", "content"), row, strict=True)) if row else None


# `current()` for one page.
CURRENT = """
    page.kind = %s AND page.language = %s AND page.built_for = page.wanted AND page.code = %s
    AND (page.fresh_until IS NULL OR page.fresh_until > %s)
"""
STORED_NATIONAL = f"""
    SELECT page.title, page.head, page.content FROM {SitePage._meta.db_table} page
    WHERE {CURRENT} AND page.municipality_id IS NULL
"""
STORED_OF_MUNICIPALITY = f"""
    SELECT page.title, page.head, page.content FROM {SitePage._meta.db_table} page
    JOIN {Municipality._meta.db_table} place ON place.id = page.municipality_id
    WHERE {CURRENT} AND place.slug = %s
"""


def render_stored(request, page):
    """The response of a stored page: its parts in the site's frame (public/frame.py),
    which holds what belongs to the request (the address, the other language's link)."""
    return frame.framed(request, **page)


# --- rendering ----------------------------------------------------------------------------

def context_of(kind, municipality, today):
    """The page's context as an anonymous visitor's request builds it (the views' own
    functions), or None when the municipality no longer exists."""
    from public.overview_views import overview_page
    from public.search_form import SearchForm
    from public.view_models import home_page, municipality_page

    if kind == Kind.SEARCH_FILTERS:
        return {"form": SearchForm({})}
    if kind == Kind.HOME:
        return home_page(today)
    if kind == Kind.OVERVIEW:
        return overview_page({}, today)
    place = Municipality.objects.select_related("county").filter(pk=municipality).first()
    return place and municipality_page(place, AnonymousUser(), today)


def fresh_until(kind, municipality, today):
    """The first day after `today` on which a period the page lists comes into force or
    runs out (the day after its last), or None. The search filters list no periods."""
    if kind == Kind.SEARCH_FILTERS:
        return None
    rows = PeriodRollup.objects.all()
    if kind == Kind.MUNICIPALITY:
        rows = rows.filter(municipality=municipality)
    day = datetime.timedelta(days=1)
    dates = rows.aggregate(
        starts=Min("valid_from", filter=Q(valid_from__gt=today)),
        ends=Min("valid_to", filter=Q(valid_to__gte=today)),
    )
    changes = [dates["starts"], dates["ends"] and dates["ends"] + day]
    return min((change for change in changes if change), default=None)


def render_page(kind, municipality, language, today):
    """{part: text} of the page and the day it is fresh until, or None."""
    with translation.override(language):
        context = context_of(kind, municipality, today)
        if context is None:
            return None
        template = TEMPLATES[kind]
        parts = {
            field: render_to_string(f"{template}#{partial}", context)
            for field, partial in PARTS[kind].items()
        }
    parts = {field: text if field == "content" else text.strip() for field, text in parts.items()}
    return parts, fresh_until(kind, municipality, today)


def add_missing(municipality_ids=None):
    """A row, to be rendered, for each language of the national pages and of each
    municipality in `municipality_ids` (None: all) that has a published period and no row
    yet. A municipality with nothing published has a short page, built as asked in a few
    queries; rendering all 290 ahead would cost the worker seconds after every change to
    a collaboration agreement or a police region."""
    municipalities = Municipality.objects.filter(
        pk__in=PeriodRollup.objects.values("municipality_id")
    )
    if municipality_ids is not None:
        municipalities = municipalities.filter(pk__in=municipality_ids)
    have = set(SitePage.objects.filter(
        Q(municipality__isnull=True) | Q(municipality__in=municipalities)
    ).values_list("kind", "municipality_id", "language"))
    wanted = [(kind, None) for kind in NATIONAL] + [
        (Kind.MUNICIPALITY, pk) for pk in municipalities.values_list("pk", flat=True)
    ]
    SitePage.objects.bulk_create(
        [SitePage(kind=kind, municipality_id=pk, language=language)
         for kind, pk in wanted for language in languages()
         if (kind, pk, language) not in have],
        ignore_conflicts=True, batch_size=1000,
    )


def render():
    """Render every stored page that may not be shown today (see period_pages.render, the
    same order of reading). Returns how many pages it stored."""
    today = timezone.localdate()
    code = code_fingerprint()
    # The pages of municipalities whose last published period was withdrawn: built as
    # asked from now on (add_missing).
    SitePage.objects.filter(municipality__isnull=False).exclude(
        municipality__in=PeriodRollup.objects.values("municipality_id")
    ).delete()
    waiting = list(
        SitePage.objects.exclude(current(today, code))
        .order_by("kind", "municipality_id", "language")
        .values_list("kind", "municipality_id", "language", "wanted")
    )
    made = 0
    for kind, municipality, language, version in waiting:
        page = render_page(kind, municipality, language, today)
        if page is None:  # the municipality was deleted meanwhile (its rows go with it)
            continue
        parts, fresh = page
        made += SitePage.objects.filter(
            kind=kind, municipality=municipality, language=language, wanted=version,
        ).update(
            **parts, built_for=version, code=code, fresh_until=fresh,
            rendered_at=timezone.now(),
        )
    return made


# --- marking (after the commits period_pages notes) ---------------------------------------

def municipalities_of(scope):
    """The municipalities whose pages `scope` (a period_pages.Scope) touches, given its
    periods (`period_ids`, already worked out); None: all of them."""
    if scope.everything or scope.agreements:
        return None
    ids = set(scope.municipalities)
    ids.update(
        PoliceArea.municipalities.through.objects.filter(policearea__in=scope.police_areas)
        .values_list("municipality_id", flat=True)
    )
    return ids


def mark(period_ids, municipality_ids):
    """The national pages, and those of `municipality_ids` and of the municipalities of
    `period_ids` (either None: all), are out of date; each has a row to be rendered."""
    if period_ids is None or municipality_ids is None:
        pages, municipality_ids = SitePage.objects.all(), None
    else:
        municipality_ids = set(municipality_ids) | set(
            PeriodMunicipality.objects.filter(period__in=period_ids)
            .values_list("municipality_id", flat=True)
        )
        pages = SitePage.objects.filter(
            Q(municipality__isnull=True) | Q(municipality__in=municipality_ids)
        )
    pages.update(wanted=F("wanted") + 1)
    add_missing(municipality_ids)
