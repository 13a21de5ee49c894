"""The national overview page and its files (CSV open data, Excel), filtered the same way."""

import csv
from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from public import overview, site_pages
from public.access import viewer
from public.cache import cache_public_page
from public.exports import Urls, csv_cell
from public.models import SitePage
from public.spreadsheets import workbook, xlsx_response

# (CSV field, Swedish Excel header, value of an OverviewRow)
FILE_COLUMNS = [
    ("municipality_code", "Kommunkod", lambda r, url: r.municipality.code),
    ("municipality", "Kommun", lambda r, url: r.municipality.name),
    ("county", "Län", lambda r, url: r.municipality.county.name),
    ("police_region", "Polisregion", lambda r, url: r.municipality.county.police_region.name),
    ("police_area", "Lokalpolisområde", lambda r, url: r.police_area or None),
    ("period_id", "Medborgarlöfte id", lambda r, url: r.period.pk if r.period else None),
    ("period_title", "Aktuellt medborgarlöfte",
     lambda r, url: r.period.title if r.period else None),
    ("valid_from", "Gäller från", lambda r, url: r.period.valid_from if r.period else None),
    ("valid_to", "Gäller till", lambda r, url: r.period.valid_to if r.period else None),
    ("promises", "Antal löften", lambda r, url: r.promise_count),
    ("latest_year", "Senaste tertialets år", lambda r, url: r.tertial.year if r.tertial else None),
    ("latest_tertial", "Senaste tertial", lambda r, url: r.tertial.number if r.tertial else None),
    ("followed_up", "Uppföljda löften", lambda r, url: r.followed_up),
    ("followed_up_percent", "Andel uppföljda (%)", lambda r, url: r.followed_up_share),
    ("on_track", "Genomförda eller pågående", lambda r, url: r.on_track),
    ("on_track_percent", "Andel genomförda eller pågående (%)",
     lambda r, url: r.on_track_share),
    ("last_report_date", "Senaste rapport publicerad", lambda r, url: r.reported_on),
    ("period_url", "Adress", lambda r, url: url(r.period) if r.period else None),
]


def filtered_rows(request):
    return rows_for(request.GET, timezone.localdate())


def rows_for(params, today):
    every = overview.places(today)
    filters = overview.read_filters(params, every.counties, every.regions)
    rows = overview.overview_rows(today, filters, every)
    return rows, filters, every.counties, every.regions


def swedish_rows(request):
    """The rows for the files, whose addresses are the Swedish ones in any language."""
    with translation.override("sv"):
        return filtered_rows(request)


def sort_links(filters):
    """Each column's header: its sort link (the other direction when it is the sort column)
    and its aria-sort."""
    columns = []
    for key, label, _value in overview.COLUMNS:
        is_sorted = filters.sort == key
        descending = not filters.descending if is_sorted else False
        columns.append({
            "key": key,
            "label": label,
            "href": "?" + urlencode(
                filters.query(sortera=key, ordning="fallande" if descending else "")
            ),
            "aria_sort": ("descending" if filters.descending else "ascending")
            if is_sorted else None,
            "numeric": key in {"promises", "followed_up", "on_track"},
        })
    return columns


@require_safe
@cache_public_page
def national_overview(request):
    today = timezone.localdate()
    if not request.GET and not viewer(request).is_authenticated:
        # The unfiltered page, rendered ahead of citizens by the worker
        # (public/site_pages.py), if current.
        page = site_pages.stored(SitePage.Kind.OVERVIEW, get_language(), today)
        if page is not None:
            return site_pages.render_stored(request, page)
    return render(request, "public/overview.html", overview_page(request.GET, today))


def overview_page(params, today):
    """What the overview shows, filtered and sorted by the GET parameters `params`."""
    rows, filters, counties, regions = rows_for(params, today)
    return {
        "rows": rows,
        "totals": overview.totals(rows),
        "is_filtered": bool(filters.county or filters.region),
        "filters": filters,
        "counties": counties,
        "regions": regions,
        "columns": sort_links(filters),
        "file_query": urlencode(filters.query(sortera="", ordning="")),
    }


def file_values(rows, request):
    url = Urls(request)
    for row in rows:
        yield [value(row, url) for _field, _header, value in FILE_COLUMNS]


@require_safe
@cache_public_page
def overview_csv(request):
    rows, *_ = swedish_rows(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="medborgarloften-oversikt.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([field for field, _header, _value in FILE_COLUMNS])
    for values in file_values(rows, request):
        writer.writerow([
            csv_cell(value.isoformat() if hasattr(value, "isoformat") else value)
            for value in values
        ])
    return response


@require_safe
@cache_public_page
def overview_xlsx(request):
    rows, *_ = swedish_rows(request)
    with translation.override("sv"):
        data = workbook(
            "Hela landet", [header for _field, header, _value in FILE_COLUMNS],
            file_values(rows, request),
        )
    return xlsx_response(data, "medborgarloften-oversikt.xlsx")
