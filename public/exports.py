"""Open data: every published period as JSON and CSV, one at a time or the whole country.

Field names are documented in docs/open-data.md and stay stable. Only public follow-ups are
exported, never internal notes. The national files are built from the same functions,
period by period so memory stays flat however many periods there are, by the worker into
stored files (public/national_files.py), or streamed live until the first is stored.
"""

import csv
import json
from decimal import Decimal

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone, translation
from django.views.decorators.http import require_safe

from followup.models import TertialReport
from followup.progress import period_progress, progress_of_periods
from municipalities.formulas import looks_like_formula
from promises.models import PromisePeriod
from public.cache import cache_public_page
from public.selectors import periods_for_pages

FORMAT_VERSION = 2
CHUNK_SIZE = 32  # periods per fetch
CSV_COLUMNS = [
    "record_type", "municipality_code", "municipality", "county", "police_area",
    "period_id", "period_title", "valid_from", "valid_to", "period_url",
    "promise_id", "promise_party", "promise_text",
    "item_id", "item_text", "target_value", "target_unit", "target_text",
    "year", "tertial", "status", "value", "account",
    # Added in format 2.
    "municipality_codes", "agreement_id", "promise_order", "promise_label", "item_kind",
    "item_label", "target", "target_comparison", "target_value_max", "target_span",
    "target_measure", "target_direction", "corrected_at", "correction",
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
    """Absolute Swedish addresses, whatever language the request came in; without a
    request (the worker building the stored files), on SITE_URL."""

    def __init__(self, request=None):
        self.request = request

    def __call__(self, obj):
        with translation.override("sv"):
            path = obj.get_absolute_url()
        if self.request is None:
            return settings.SITE_URL.rstrip("/") + path
        return self.request.build_absolute_uri(path)


def target_record(subject):
    target = subject.target
    # The target in words is content, in Swedish like every text in the files, whatever
    # the language of the address the file was fetched from.
    with translation.override("sv"):
        described = target.describe() or None
    return {
        "target": described,
        "target_comparison": target.comparison or None,
        "target_value": number(target.value),
        "target_value_max": number(target.value_max),
        "target_unit": target.unit,
        "target_span": target.span,
        "target_measure": target.measure,
        "target_direction": target.direction,
        "target_text": target.text,
    }


def followup_record(followup):
    return {
        "year": followup.year,
        "tertial": followup.tertial,
        "status": followup.status or None,
        "account": followup.account,
        "value": number(followup.value),
        "corrected_at": date(followup.corrected_at),
        "correction": followup.correction,
    }


def municipality_record(municipality):
    return {
        "code": municipality.code,
        "name": municipality.name,
        "proper_name": municipality.proper_name,
        "county_code": municipality.county.code,
        "county": municipality.county.name,
    }


def has_public_agreement(period):
    """A draft agreement is named nowhere public, not even by its id."""
    return period.agreement_id is not None and period.agreement.is_published


def period_record(period, progress, reports, url):
    """The documented JSON record of a period and its public follow-up."""
    municipalities = list(period.municipalities.all())
    codes = {m.pk: m.code for m in municipalities}
    return {
        "id": period.pk,
        "url": url(period),
        "title": period.title,
        "status": period.status,
        "valid_from": date(period.valid_from),
        "valid_to": date(period.valid_to),
        "published_at": date(period.published_at),
        "updated_at": date(period.updated_at),
        "municipality": municipality_record(municipalities[0]) if municipalities else None,
        "municipalities": [municipality_record(m) for m in municipalities],
        "agreement": (
            {"id": period.agreement_id, "title": period.agreement.title,
             "url": url(period.agreement)} if has_public_agreement(period) else None
        ),
        "police_area": {
            "name": period.police_area.name,
            "official_code": period.police_area.official_code,
            "district": period.police_area.district_name,
        },
        "introduction": period.introduction,
        "situation": period.situation,
        "citizen_experience": period.citizen_experience,
        "effects": period.effects,
        "followup_description": period.followup_description,
        "contact": {
            "name": period.contact_name, "role": period.contact_role,
            "email": period.contact_email, "phone": period.contact_phone,
        },
        "priorities": [priority.text for priority in period.priorities.all()],
        # Beside "priorities", index for index: the numbering as the document writes it.
        "priority_labels": [priority.label for priority in period.priorities.all()],
        "focus_areas": [
            {"label": area.label, "name": area.name, "description": area.description}
            for area in period.focus_areas.all()
        ],
        "signatories": [
            {"party": s.party, "name": s.name, "title": s.title,
             "municipality_code": codes.get(s.municipality_id)}
            for s in period.signatories.all()
        ],
        "promises": [promise_record(item) for item in progress],
        "tertial_reports": [
            {
                "year": report.year,
                "tertial": report.tertial,
                "url": url(report),
                "summary": report.summary,
                "presented_on": date(report.presented_on),
                "published_at": date(report.published_at),
            }
            for report in reports
        ],
    }


def followups_of(line):
    return [line.followups[t] for t in sorted(line.followups)]


def promise_record(item):
    promise = item.promise
    return {
        "id": promise.pk,
        "order": promise.order,
        "label": promise.label,
        "party": promise.party,
        "municipality_code": promise.municipality.code if promise.municipality_id else None,
        "text": promise.text,
        "followup_method": promise.followup_method,
        **target_record(promise),
        "followups": [followup_record(f) for f in followups_of(item.line)],
        "year_end_comments": [
            {"year": year, "text": text} for year, text in sorted(item.comments.items())
        ],
        "activities": [
            {
                "id": line.subject.pk,
                "order": line.subject.order,
                "label": line.subject.label,
                "text": line.subject.text,
                "responsible_party": line.subject.responsible_party,
                **target_record(line.subject),
                "followups": [followup_record(f) for f in followups_of(line)],
            }
            for line in item.activities
        ],
        "indicators": [
            {
                "id": line.subject.pk,
                "order": line.subject.order,
                "label": line.subject.label,
                "name": line.subject.name,
                "unit": line.subject.target_unit,
                "reporting_party": line.subject.reporting_party,
                **target_record(line.subject),
                "followups": [followup_record(f) for f in followups_of(line)],
                # Format 1's name for the indicator's values, kept for existing readers.
                "measurements": [
                    {"year": f.year, "tertial": f.tertial, "value": number(f.value)}
                    for f in followups_of(line) if f.value is not None
                ],
            }
            for line in item.indicators
        ],
    }


def csv_rows(period, progress, url):
    """One row per public follow-up of a promise, activity or indicator; one with nothing
    followed up still gets a row, so nothing promised is missing from the table."""
    municipalities = list(period.municipalities.all())
    first = municipalities[0] if municipalities else None
    base = {
        "municipality_code": first.code if first else "",
        "municipality": ", ".join(m.name for m in municipalities),
        "county": first.county.name if first else "",
        "police_area": period.police_area.name,
        "period_id": period.pk, "period_title": period.title,
        "valid_from": date(period.valid_from), "valid_to": date(period.valid_to),
        "period_url": url(period),
        "municipality_codes": " ".join(m.code for m in municipalities),
        "agreement_id": period.agreement_id if has_public_agreement(period) else None,
    }
    for item in progress:
        promise = item.promise
        head = {
            **base, "promise_id": promise.pk, "promise_party": promise.party,
            "promise_text": promise.text, "promise_order": promise.order,
            "promise_label": promise.label,
        }
        for line in item.lines:
            subject = line.subject
            target = target_record(subject)
            row = {
                **head, "item_kind": line.kind, "item_id": subject.pk,
                "item_label": subject.label, "item_text": line.text,
                **{key: target[key] for key in (
                    "target", "target_comparison", "target_value", "target_value_max",
                    "target_unit", "target_span", "target_measure", "target_direction",
                    "target_text",
                )},
            }
            followups = followups_of(line)
            if not followups:
                yield {**row, "record_type": line.kind}
            for followup in followups:
                record = followup_record(followup)
                yield {**row, "record_type": "followup",
                       **{key: record[key] for key in (
                           "year", "tertial", "status", "value", "account", "corrected_at",
                           "correction")}}


class Line:
    """A file-like object whose write() hands back the line, for csv.writer in a stream."""

    def write(self, value):
        return value


def csv_cell(value):
    """A cell as text that a spreadsheet shows and never runs: text that would start a
    formula gets a leading apostrophe; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def csv_writer():
    return csv.writer(Line())


def csv_head(writer):
    # The byte-order mark makes Excel read the file as UTF-8, keeping å, ä and ö.
    return "\ufeff" + writer.writerow(CSV_COLUMNS)


def csv_line(writer, row):
    return writer.writerow([csv_cell(row.get(column)) for column in CSV_COLUMNS])


def csv_stream(periods, url):
    writer = csv_writer()
    yield csv_head(writer)
    for period, progress, _reports in periods:
        for row in csv_rows(period, progress, url):
            yield csv_line(writer, row)


def public_reports(period):
    return list(TertialReport.objects.public().filter(period=period).order_by("year", "tertial"))


def with_content(period):
    return period, period_progress(period, public=True), public_reports(period)


def published_period(pk):
    period = periods_for_pages(PromisePeriod.objects.published()).prefetch_related(
        "priorities", "focus_areas", "signatories", "municipalities__county",
    ).filter(pk=pk).first()
    if period is None:
        raise Http404
    return with_content(period)


def attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
@cache_public_page
def period_json(request, pk):
    period, progress, reports = published_period(pk)
    data = {"format_version": FORMAT_VERSION,
            **period_record(period, progress, reports, Urls(request))}
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})


@require_safe
@cache_public_page
def period_csv(request, pk):
    # One period is small: built whole like its JSON, so it is kept in the page cache and
    # its ETag is the hash of its bytes (a conditional GET gets 304 with the cache off too).
    content = published_period(pk)
    response = HttpResponse(
        "".join(csv_stream([content], Urls(request))), content_type="text/csv; charset=utf-8"
    )
    return attachment(response, f"medborgarlofte-{pk}.csv")


def national_periods():
    """Every published period with its public follow-up, a chunk of periods at a time (a
    fixed number of queries per chunk, and memory that does not grow with the data)."""
    periods = periods_for_pages(PromisePeriod.objects.published()).prefetch_related(
        "priorities", "focus_areas", "signatories", "municipalities__county",
    ).order_by("valid_from", "pk")
    chunk = []
    for period in periods.iterator(chunk_size=CHUNK_SIZE):
        chunk.append(period)
        if len(chunk) == CHUNK_SIZE:
            yield from with_content_of(chunk)
            chunk = []
    yield from with_content_of(chunk)


def with_content_of(periods):
    if not periods:
        return
    progress = progress_of_periods(periods, public=True)
    reports = {}
    for report in TertialReport.objects.public().filter(period__in=periods).order_by(
        "year", "tertial"
    ):
        reports.setdefault(report.period_id, []).append(report)
    for period in periods:
        yield period, progress[period.pk], reports.get(period.pk, [])
        for item in progress[period.pk]:
            for line in item.lines:
                forget_related(line.subject)
                for followup in line.followups.values():
                    forget_related(followup)
        forget_related(period)


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


def json_head(generated_at):
    return (f'{{"format_version": {FORMAT_VERSION}, "generated_at": '
            f'"{generated_at.isoformat()}", "periods": [')


JSON_TAIL = "]}\n"


def json_period(content, url):
    period, progress, reports = content
    return json.dumps(period_record(period, progress, reports, url), ensure_ascii=False)


def national_json_stream(url):
    yield json_head(timezone.now())
    separator = ""
    for content in national_periods():
        yield separator + json_period(content, url)
        separator = ",\n"
    yield JSON_TAIL


def national_json_response(request):
    """The national JSON made while it is sent (before the first stored file is built)."""
    response = StreamingHttpResponse(
        national_json_stream(Urls(request)), content_type="application/json; charset=utf-8"
    )
    return attachment(response, "medborgarloften.json")


def national_csv_response(request):
    """The national CSV made while it is sent (before the first stored file is built)."""
    response = StreamingHttpResponse(
        csv_stream(national_periods(), Urls(request)), content_type="text/csv; charset=utf-8"
    )
    return attachment(response, "medborgarloften.csv")
