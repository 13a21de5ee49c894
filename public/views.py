"""The public site: what was promised, and how it is going, for every citizen to read."""

import datetime

from django.core.paginator import Paginator
from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_safe

from followup.tertials import TertialNumber
from municipalities.models import Municipality
from promises.models import Agreement, PromisePeriod
from public import (
    documents_section, frame, period_pages, selectors, site_pages, view_models,
)
from public import search as site_search
from public.access import may_preview, viewer
from public.cache import cache_public_page
from public.search_form import SearchForm
from public.search_hits import results_section
from public.models import SitePage
from public.view_models import period_page, tertial_view

# When the accessibility statement was last reviewed against the site (WCAG 2.1 AA).
ACCESSIBILITY_REVIEWED_ON = datetime.date(2026, 11, 29)


def today():
    return timezone.localdate()


@require_safe
@cache_public_page
def home(request):
    if not viewer(request).is_authenticated:
        # Rendered ahead of citizens by the worker (public/site_pages.py), if current.
        page = site_pages.stored(SitePage.Kind.HOME, get_language(), today())
        if page is not None:
            return site_pages.render_stored(request, page)
    return render(request, "public/home.html", view_models.home_page(today()))


@require_safe
@cache_public_page
def municipality(request, slug):
    user = viewer(request)
    if not user.is_authenticated:
        page = site_pages.stored(SitePage.Kind.MUNICIPALITY, get_language(), today(),
                                 slug=slug)
        if page is not None:
            return site_pages.render_stored(request, page)
    place = get_object_or_404(Municipality.objects.select_related("county"), slug=slug)
    return render(request, "public/municipality.html",
                  view_models.municipality_page(place, user, today()))


def shown_period(request, pk):
    """The period for a public page, and whether the reader previews it as an editor."""
    editor = may_preview(request, pk)
    period = selectors.load_period(PromisePeriod.objects.visible_to(viewer(request)), pk)
    if period is None:
        raise Http404
    # An editor sees the draft and the unpublished follow-up of a published period only
    # when asking for the preview, so the ordinary page is what citizens see.
    preview = editor and (not period.is_published or "preview" in request.GET)
    return period, editor, preview


@require_safe
@cache_public_page
def period(request, pk):
    if not viewer(request).is_authenticated:
        # Rendered ahead of citizens by the worker (public/period_pages.py), if current.
        page = period_pages.stored(pk, get_language(), today())
        if page is not None:
            return site_pages.render_stored(request, page)
    period, editor, preview = shown_period(request, pk)
    context = period_page(period, preview=preview, can_preview=editor and not preview,
                          today=today())
    return render(request, "public/period.html", context)


@require_safe
@cache_public_page
def tertial_report(request, pk, year, tertial):
    if tertial not in TertialNumber.values:
        raise Http404
    period, editor, preview = shown_period(request, pk)
    day = today()
    states = selectors.tertial_states(
        period, selectors.reports_of(period, preview=editor), day
    )
    shown = next(
        (s for s in states if (s.tertial.year, s.tertial.number) == (year, tertial)), None
    )
    if shown is None or shown.report is None or (
        not shown.report.is_published and not editor
    ):
        raise Http404
    preview = editor and not shown.report.is_published
    context = {
        "period": period,
        "report": shown.report,
        "document": documents_section.report_document(period, shown.report),
        "states": states,
        "shown": shown,
        "preview": preview,
        "view": tertial_view(period, states, shown, preview=preview, today=day),
    }
    return render(request, "public/tertial_report.html", context)


@require_safe
@cache_public_page
def agreement(request, pk):
    shown = selectors.agreement_for_page(Agreement.objects.visible_to(viewer(request)), pk)
    if shown is None:
        raise Http404
    context = {
        "agreement": shown,
        "periods": [selectors.ListedPeriod.of(period) for period in selectors.periods_of_agreement(
            shown, PromisePeriod.objects.visible_to(viewer(request))
        )],
    }
    return render(request, "public/agreement.html", context)


@require_safe
@cache_public_page
def search(request):
    form = SearchForm(request.GET)
    query = request.GET.get("q")
    context = {"form": form, "query": query or "", "page": None, "error": None}
    status = 200
    if form.is_valid() and not form.is_filtered():
        # The lists of 290 municipalities and the counties as the worker wrote them
        # (public/site_pages.py), if current; else the form writes them.
        filters = site_pages.stored(SitePage.Kind.SEARCH_FILTERS, get_language(), today())
        context["stored_filters"] = mark_safe(filters["content"]) if filters else None
    if not form.is_valid():
        status = 400
    elif query is not None or form.is_filtered():
        try:
            cleaned = site_search.clean_query(query or "")
        except site_search.BadQuery as error:
            context["error"] = error.message
            status = 400 if error.is_bad_request else 200
        else:
            hits = site_search.Hits(site_search.Terms.of(cleaned), form.filters(),
                                    page=request.GET.get("page"))
            context["query"] = cleaned
            pages = Paginator(hits, site_search.PAGE_SIZE)
            page = context["page"] = pages.get_page(request.GET.get("page"))
            context["results"] = results_section(
                request, page, hits, cleaned,
                pages.get_elided_page_range(page.number, on_each_side=2),
            )
    # The page's partials in the site's frame rendered ahead.
    return frame.render(request, "public/search.html", context, status=status)


# DIGG's form for reporting a public body's inaccessible digital service.
DIGG_REPORT_FORM = "https://www.digg.se/tdosanmalan"


def contact_link(contact):
    """(href, text) of the accessibility contact: an e-mail address, a web address or a
    telephone number (href None: shown as text)."""
    contact = contact.strip()
    if contact.startswith(("https://", "http://")):
        return contact, contact
    if "@" in contact:
        return f"mailto:{contact}", contact
    return None, contact


@require_safe
@cache_public_page
def accessibility(request):
    href, text = contact_link(settings.PORTAL_ACCESSIBILITY_CONTACT)
    context = {
        "reviewed_on": ACCESSIBILITY_REVIEWED_ON,
        "operator": settings.PORTAL_OPERATOR,
        "contact_href": href,
        "contact_text": text,
        "digg_report_form": DIGG_REPORT_FORM,
    }
    return render(request, "public/accessibility.html", context)


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri(reverse("sitemap"))
    lines = ["User-agent: *", "Disallow: /admin/", "Allow: /", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
