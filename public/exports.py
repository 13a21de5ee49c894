"""Open data: every published period as JSON and CSV, one at a time or the whole country.

Field names are documented in docs/open-data.md and stay stable. Only public follow-ups and
measurements are exported, never internal notes. The national files stream period by
period in chunks, so memory stays flat however many periods there are.
"""

import csv
import json
import re
from decimal import Decimal

from django.http import Http404, JsonResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.views.decorators.http import condition, require_safe
from public.cache import cache_public_page, public_etag
from public.selectors import ReportLink, export_period, export_queryset

FORMAT_VERSION = 1
CHUNK_SIZE = 32  # periods per fetch: the export holds about two chunks at once
CSV_COLUMNS = [
    "record_type", "municipality_code", "municipality", "county", "police_area",
    "period_id", "period_title", "valid_from", "valid_to", "period_url",
    "promise_id", "promise_party", "promise_text",
    "item_id", "item_text", "target_value", "target_unit", "target_text",
    "year", "tertial", "status", "value", "account",
]


def number(value):
    if value is None:
        return None
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return float(value)


def date(value):
    return value.isoformat() if value else None


class Urls:
    """Absolute Swedish addresses, whatever language the request came in."""

    def __init__(self, request):
        self.request = request

    def __call__(self, obj):
        with translation.override("sv"):
            return self.request.build_absolute_uri(obj.get_absolute_url())


def period_record(period, url):
    """The documented JSON record of a period; `period.report_links` holds its public
    tertial reports."""
    return {
        "id": period.pk,
        "url": url(period),
        "title": period.title,
        "status": period.status,
        "valid_from": date(period.valid_from),
        "valid_to": date(period.valid_to),
        "published_at": date(period.published_at),
        "updated_at": date(period.updated_at),
        "municipality": {
            "code": period.municipality.code,
            "name": period.municipality.name,
            "county_code": period.municipality.county.code,
            "county": period.municipality.county.name,
        },
        "police_area": {
            "name": period.police_area.name,
            "district": period.police_area.district_name,
        },
        "introduction": period.introduction,
        "situation": period.situation,
        "citizen_experience": period.citizen_experience,
        "effects": period.effects,
        "followup_description": period.followup_description,
        "priorities": [priority.text for priority in period.priorities.all()],
        "focus_areas": [
            {"name": area.name, "description": area.description}
            for area in period.focus_areas.all()
        ],
        "signatories": [
            {"party": s.party, "name": s.name, "title": s.title}
            for s in period.signatories.all()
        ],
        "promises": [promise_record(promise) for promise in period.promises.all()],
        "tertial_reports": [
            {
                "year": report.year,
                "tertial": report.tertial,
                "url": url(report),
                "summary": report.summary,
                "presented_on": date(report.presented_on),
                "published_at": date(report.published_at),
            }
            for report in period.report_links
        ],
    }


def promise_record(promise):
    return {
        "id": promise.pk,
        "order": promise.order,
        "party": promise.party,
        "text": promise.text,
        "followup_method": promise.followup_method,
        "year_end_comments": [
            {"year": comment.year, "text": comment.text}
            for comment in promise.year_end_comments.all()
        ],
        "activities": [
            {
                "id": activity.pk,
                "order": activity.order,
                "text": activity.text,
                "responsible_party": activity.responsible_party,
                "target_value": number(activity.target_value),
                "target_unit": activity.target_unit,
                "target_text": activity.target_text,
                "followups": [
                    {
                        "year": followup.year,
                        "tertial": followup.tertial,
                        "status": followup.status,
                        "account": followup.account,
                    }
                    for followup in activity.followups.all()
                ],
            }
            for activity in promise.activities.all()
        ],
        "indicators": [
            {
                "id": indicator.pk,
                "order": indicator.order,
                "name": indicator.name,
                "unit": indicator.unit,
                "target_value": number(indicator.target_value),
                "target_text": indicator.target_text,
                "reporting_party": indicator.reporting_party,
                "measurements": [
                    {
                        "year": measurement.year,
                        "tertial": measurement.tertial,
                        "value": number(measurement.value),
                    }
                    for measurement in indicator.measurements.all()
                ],
            }
            for indicator in promise.indicators.all()
        ],
    }


def csv_rows(period, url):
    """One row per public follow-up and measurement; an activity, indicator or promise with
    none still gets one row, so nothing promised is missing from the table."""
    base = [
        period.municipality.code, period.municipality.name, period.municipality.county.name,
        period.police_area.name, period.pk, period.title, date(period.valid_from),
        date(period.valid_to), url(period),
    ]
    for promise in period.promises.all():
        head = base + [promise.pk, promise.party, promise.text]
        activities = list(promise.activities.all())
        indicators = list(promise.indicators.all())
        if not activities and not indicators:
            yield ["promise", *head] + [""] * 10
        for activity in activities:
            item = [activity.pk, activity.text, number(activity.target_value),
                    activity.target_unit, activity.target_text]
            followups = list(activity.followups.all())
            if not followups:
                yield ["activity", *head, *item, "", "", "", "", ""]
            for followup in followups:
                yield ["followup", *head, *item, followup.year, followup.tertial,
                       followup.status, "", followup.account]
        for indicator in indicators:
            item = [indicator.pk, indicator.name, number(indicator.target_value),
                    indicator.unit, indicator.target_text]
            measured = list(indicator.measurements.all())
            if not measured:
                yield ["indicator", *head, *item, "", "", "", "", ""]
            for measurement in measured:
                yield ["measurement", *head, *item, measurement.year, measurement.tertial,
                       "", number(measurement.value), ""]


class Line:
    """A file-like object whose write() hands back the line, for csv.writer in a stream."""

    def write(self, value):
        return value


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def csv_cell(value):
    """A cell as text that a spreadsheet shows and never runs: text that would start a
    formula (=, +, -, @) gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_stream(periods, url):
    writer = csv.writer(Line())
    # The byte-order mark makes Excel read the file as UTF-8, keeping å, ä and ö.
    yield "\ufeff" + writer.writerow(CSV_COLUMNS)
    for period in periods:
        for row in csv_rows(period, url):
            yield writer.writerow([csv_cell(cell) for cell in row])


def published_period(pk):
    period = export_period(pk)
    if period is None:
        raise Http404
    return period


def attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@cache_public_page
def period_json(request, pk):
    period = published_period(pk)
    data = {"format_version": FORMAT_VERSION, **period_record(period, Urls(request))}
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})


@require_safe
@cache_public_page
@condition(etag_func=public_etag)
def period_csv(request, pk):
    period = published_period(pk)
    response = StreamingHttpResponse(
        csv_stream([period], Urls(request)), content_type="text/csv; charset=utf-8"
    )
    return attachment(response, f"medborgarlofte-{period.pk}.csv")


def forget_related(instance):
    """Drop an instance's prefetched and cached relations, recursively.

    A prefetched child keeps a reference to its parent, so a period and its promises form
    reference cycles that only the cyclic garbage collector frees, late: memory would grow
    with the export. Breaking the cycles frees each period as soon as it is written.
    """
    for related in getattr(instance, "_prefetched_objects_cache", {}).values():
        for child in related:
            forget_related(child)
    instance._prefetched_objects_cache = {}
    instance._state.fields_cache = {}


def national_periods():
    """Every published period, fetched in chunks (each chunk prefetched on its own)."""
    for period in export_queryset().iterator(chunk_size=CHUNK_SIZE):
        period.report_links = [ReportLink.of(report) for report in period.tertial_reports.all()]
        yield period
        forget_related(period)


def national_json_stream(url):
    generated = timezone.now().isoformat()
    yield f'{{"format_version": {FORMAT_VERSION}, "generated_at": "{generated}", "periods": ['
    separator = ""
    for period in national_periods():
        yield separator + json.dumps(period_record(period, url), ensure_ascii=False)
        separator = ",\n"
    yield "]}\n"


@require_safe
@cache_public_page
@condition(etag_func=public_etag)
def national_json(request):
    response = StreamingHttpResponse(
        national_json_stream(Urls(request)), content_type="application/json; charset=utf-8"
    )
    return attachment(response, "medborgarloften.json")


@require_safe
@cache_public_page
@condition(etag_func=public_etag)
def national_csv(request):
    periods = national_periods()
    response = StreamingHttpResponse(
        csv_stream(periods, Urls(request)), content_type="text/csv; charset=utf-8"
    )
    return attachment(response, "medborgarloften.csv")
