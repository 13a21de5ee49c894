"""The public site: what was promised, and how it is going, for every citizen to read."""

import datetime

from django.db.models import Count, Q, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from followup.models import TertialReport
from municipalities.models import Municipality
from promises.models import Party, Promise, PromisePeriod
from public import documents_section
from public import search as site_search
from public import selectors as content
from public.access import may_preview, viewer
from public.cache import cache_public_page

# When the accessibility statement was last reviewed against the site (WCAG 2.1 AA).
ACCESSIBILITY_REVIEWED_ON = datetime.date(2026, 11, 23)


def today():
    return timezone.localdate()


@require_safe
@cache_public_page
def home(request):
    periods = list(
        PromisePeriod.objects.published()
        .select_related("municipality__county", "police_area")
        .order_by("municipality__county__code", "municipality__name", "-valid_from")
    )
    day = today()
    current = [period for period in periods if period.is_current(day)]
    by_party = {
        party: (current_count, total)
        for party, current_count, total in Promise.objects.filter(
            period__in=PromisePeriod.objects.published()
        )
        .values_list("party")
        .annotate(
            current=Count(
                "pk", filter=Q(period__valid_from__lte=day, period__valid_to__gte=day)
            ),
            total=Count("pk"),
        )
        .order_by()
    }
    context = {
        "counties": group_by_county(current),
        "all_counties": group_by_county(latest_per_municipality(periods)),
        "recent": sorted(periods, key=lambda p: p.published_at, reverse=True)[:5],
        "current_municipality_count": len({p.municipality_id for p in current}),
        "municipality_count": len({p.municipality_id for p in periods}),
        "period_count": len(periods),
        "party_rows": [
            {
                "label": label,
                "current": by_party.get(value, (0, 0))[0],
                "total": by_party.get(value, (0, 0))[1],
            }
            for value, label in Party.choices
        ],
    }
    return render(request, "public/home.html", context)


def latest_per_municipality(periods):
    seen = {}
    for period in periods:
        seen.setdefault(period.municipality_id, period)
    return list(seen.values())


def group_by_county(periods):
    """[(county, [period, …]), …] in county-code order; the input is already sorted."""
    groups = {}
    for period in periods:
        groups.setdefault(period.municipality.county, []).append(period)
    return list(groups.items())


@require_safe
@cache_public_page
def municipality(request, slug):
    place = get_object_or_404(Municipality.objects.select_related("county"), slug=slug)
    periods = list(
        PromisePeriod.objects.visible_to(viewer(request))
        .for_municipality(place)
        .select_related("police_area")
        .order_by("-valid_from")
    )
    day = today()
    current = [p for p in periods if p.is_published and p.is_current(day)]
    context = {
        "municipality": place,
        "current": current,
        "earlier": [p for p in periods if p.is_published and p not in current],
        "drafts": [p for p in periods if not p.is_published],
        "police_areas": list(place.police_areas.order_by("name")),
    }
    return render(request, "public/municipality.html", context)


@require_safe
@cache_public_page
def period(request, pk):
    editor = may_preview(request, pk)
    shown = content.load_period(
        PromisePeriod.objects.visible_to(viewer(request)), pk, preview=editor
    )
    if shown is None:
        raise Http404
    # An editor sees the draft and the unpublished follow-up of a published period only
    # when asking for the preview, so the ordinary page is what citizens see.
    preview = editor and (not shown.is_published or "preview" in request.GET)
    if not preview:
        shown.report_links = [link for link in shown.report_links if link.is_published]
    content.fill_period(shown, preview=preview)
    context = {
        "period": shown,
        "preview": preview,
        "can_preview": editor and not preview,
        "documents": documents_section.for_period_page(shown, published_tertials={
            (link.year, link.tertial) for link in shown.report_links if link.is_published
        }),
        "verify_url": reverse("public:verify"),
    }
    return render(request, "public/period.html", context)


@require_safe
@cache_public_page
def tertial_report(request, pk, year, tertial):
    if tertial not in content.TERTIALS:
        raise Http404
    preview = may_preview(request, pk)
    shown = content.load_period(
        PromisePeriod.objects.visible_to(viewer(request)), pk, preview=preview
    )
    if shown is None:
        raise Http404
    reports = TertialReport.objects.filter(period=shown, year=year, tertial=tertial)
    if not preview:
        reports = reports.public()
    report = reports.first()
    if report is None:
        raise Http404
    prefetch_related_objects(
        [shown], content.promise_prefetches(preview=preview, year=year, tertial=tertial)
    )
    rows = []
    for promise in shown.promises.all():
        for activity in promise.activities.all():
            followup = next(iter(activity.followups.all()), None)
            if followup is not None:
                followup.marker = content.STATUS_MARKERS.get(followup.status, "")
                followup.is_public = report.is_published and shown.is_published
            rows.append((promise, activity, followup))
    indicators = [
        (indicator, measurement)
        for promise in shown.promises.all()
        for indicator in promise.indicators.all()
        for measurement in indicator.measurements.all()
    ]
    for indicator, measurement in indicators:
        measurement.percent = content.progress_percent(measurement.value, indicator.target_value)
    context = {
        "period": shown,
        "report": report,
        "rows": rows,
        "indicators": indicators,
        "preview": preview and not report.is_published,
        "other_reports": [
            link for link in shown.report_links
            if (link.is_published or preview) and (link.year, link.tertial) != (year, tertial)
        ],
    }
    return render(request, "public/tertial_report.html", context)


@require_safe
@cache_public_page
def search(request):
    query = request.GET.get("q")
    context = {"query": query or "", "results": None, "error": None}
    status = 200
    if query is not None:
        try:
            cleaned = site_search.clean_query(query)
        except site_search.BadQuery as error:
            context["error"] = error.message
            status = 400 if error.is_bad_request else 200
        else:
            context["query"] = cleaned
            context["results"] = site_search.search(cleaned)
    return render(request, "public/search.html", context, status=status)


@require_safe
@cache_public_page
def accessibility(request):
    context = {"reviewed_on": ACCESSIBILITY_REVIEWED_ON}
    return render(request, "public/accessibility.html", context)


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Allow: /", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")

