"""Render the printed documents — the agreement and the tertial report — to PDF/A with
WeasyPrint, using only our own templates, stylesheet and shipped font."""

import dataclasses
import mimetypes
import threading
from urllib import request
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from promises.models import Party, Promise, PromisePeriod, SigningParty

# Relative URLs in the templates resolve against this made-up origin; the fetcher maps it
# onto our static files and refuses everything else, so a PDF never reaches another host.
BASE_URL = "https://static.medborgarloften.invalid/"
PX_TO_PT = 0.75
PDF_OPTIONS = {"pdf_variant": "pdf/a-3b", "pdf_tags": True}


class StaticFilesOnlyFetcher(URLFetcher):
    """Serve our own static files to WeasyPrint and nothing else."""

    def __init__(self):
        # Skip URLFetcher's network handlers (building their TLS context cost ~70 ms per
        # document): this fetcher never opens a connection.
        request.OpenerDirector.__init__(self)
        self._timeout, self._http_headers, self._request = 10, {}, None
        self._allowed_protocols, self._fail_on_errors = ["https"], True

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        static_prefix = urlsplit(BASE_URL + settings.STATIC_URL.lstrip("/")).path
        if (
            f"{parts.scheme}://{parts.netloc}/" != BASE_URL
            or not parts.path.startswith(static_prefix)
        ):
            raise ValueError(f"Refusing to fetch {url!r}: only our own static files.")
        relative = unquote(parts.path.removeprefix(static_prefix))
        if ".." in relative.split("/"):
            raise ValueError(f"Refusing {url!r}: it leaves the static files.")
        path = finders.find(relative)
        if path is None:
            raise ValueError(f"No static file {relative!r}.")
        with open(path, "rb") as handle:
            body = handle.read()
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body, {"Content-Type": content_type})


@dataclasses.dataclass(frozen=True)
class SignatureBox:
    """Where a party's signature stamp goes: page index and (x1, y1, x2, y2) in PDF points."""

    party: str
    page: int
    box: tuple


@dataclasses.dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    signature_boxes: tuple = ()


def paragraphs(text):
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


def verify_url():
    with translation.override(settings.LANGUAGE_CODE):
        return settings.SITE_URL.rstrip("/") + reverse("promises:verify")


_loaded = threading.local()


def print_stylesheet():
    """static/css/print.css and its fonts, parsed once per thread (about 60 ms each time)."""
    if not hasattr(_loaded, "stylesheet"):
        font_config = FontConfiguration()
        _loaded.stylesheet = font_config, CSS(
            url=BASE_URL + settings.STATIC_URL.lstrip("/") + "css/print.css",
            url_fetcher=StaticFilesOnlyFetcher(), font_config=font_config,
        )
    return _loaded.stylesheet


def render(template, context, *, box_ids=()):
    """Render a template to PDF bytes; report where the elements named in box_ids landed."""
    with translation.override(settings.LANGUAGE_CODE):
        html = render_to_string(template, {**context, "verify_url": verify_url()})
        font_config, stylesheet = print_stylesheet()
        document = HTML(
            string=html,
            base_url=BASE_URL + settings.STATIC_URL.lstrip("/"),
            url_fetcher=StaticFilesOnlyFetcher(),
        ).render(font_config=font_config, stylesheets=[stylesheet], **PDF_OPTIONS)
    boxes = []
    for page_index, page in enumerate(document.pages):
        page_height = page.height * PX_TO_PT
        for party, box_id in box_ids:
            if box_id in page.anchors:
                x1, y1, x2, y2 = (value * PX_TO_PT for value in page.anchors[box_id])
                # CSS counts down from the top of the page, PDF up from the bottom.
                box = (x1, page_height - y2, x2, page_height - y1)
                boxes.append(SignatureBox(party, page_index, box))
    return RenderedPdf(document.write_pdf(**PDF_OPTIONS), tuple(boxes))


PARTY_HEADINGS = {
    Party.POLICE: gettext_noop("The police promise"),
    Party.MUNICIPALITY: gettext_noop("The municipality promises"),
    Party.JOINT: gettext_noop("The police and the municipality promise together"),
}
SECTIONS = [
    ("introduction", gettext_noop("Introduction")),
    ("situation", gettext_noop("The shared situation picture")),
    ("citizen_experience", gettext_noop("What citizens experience")),
    ("effects", gettext_noop("Effects sought")),
    ("followup_description", gettext_noop("Follow-up and feedback to citizens")),
]


def target_text(item):
    if item.target_text:
        return item.target_text
    if item.target_value is not None:
        value = f"{item.target_value.normalize():f}"
        unit = getattr(item, "target_unit", None) or getattr(item, "unit", "")
        return f"{value} {unit}".strip()
    return ""


def agreement_context(period):
    period = (
        PromisePeriod.objects.select_related("municipality", "police_area")
        .prefetch_related(
            "focus_areas", "priorities", "signatories",
            Prefetch(
                "promises",
                queryset=Promise.objects.order_by("order", "pk").prefetch_related(
                    "focus_areas", "activities", "indicators"
                ),
            ),
        )
        .get(pk=period.pk)
    )
    focus_areas = [
        {"name": area.name, "paragraphs": paragraphs(area.description)}
        for area in period.focus_areas.all()
    ]
    sections = []
    for name, heading in SECTIONS:
        text = getattr(period, name)
        if text or (name == "situation" and focus_areas):
            sections.append({
                "name": name, "heading": _(heading), "paragraphs": paragraphs(text),
                "focus_areas": focus_areas if name == "situation" else [],
            })
    groups = []
    for party in (Party.POLICE, Party.MUNICIPALITY, Party.JOINT):
        promises = [
            {
                "paragraphs": paragraphs(promise.text),
                "focus_area_names": [area.name for area in promise.focus_areas.all()],
                "followup_method": promise.followup_method,
                "activities": [
                    {
                        "text": activity.text,
                        "target": target_text(activity),
                        "responsible": activity.get_responsible_party_display(),
                    }
                    for activity in promise.activities.all()
                ],
                "indicators": [
                    {
                        "name": indicator.name,
                        "target": target_text(indicator),
                        "reported_by": indicator.get_reporting_party_display(),
                    }
                    for indicator in promise.indicators.all()
                ],
            }
            for promise in period.promises.all()
            if promise.party == party
        ]
        if promises:
            groups.append({"heading": _(PARTY_HEADINGS[party]), "promises": promises})
    signatories, seen_parties = [], set()
    for signatory in period.signatories.all():
        first_of_party = signatory.party not in seen_parties
        seen_parties.add(signatory.party)
        signatories.append({
            "name": signatory.name,
            "title": signatory.title,
            "party": signatory.party,
            "box_id": f"signature-{signatory.party}" if first_of_party
            else f"signature-{signatory.party}-{signatory.pk}",
        })
    return period, {
        "period": period,
        "sections": sections,
        "priorities": list(period.priorities.all()),
        "promise_groups": groups,
        "signatories": signatories,
    }


def render_agreement(period, *, version, created_at=None):
    """The agreement as PDF/A, with the place of each party's signature stamp."""
    period, context = agreement_context(period)
    context.update(version=version, created_at=timezone.localtime(created_at))
    box_ids = [(party, f"signature-{party}") for party in SigningParty.values]
    return render("pdf/agreement.html", context, box_ids=box_ids)


def tertial_report_context(report):
    from followup.models import FollowUp, Measurement, YearEndComment
    from followup.tertials import Tertial

    period = report.period
    tertials = [
        Tertial(report.year, number)
        for number in range(1, report.tertial + 1)
        if Tertial(report.year, number).overlaps(period.valid_from, period.valid_to)
    ]
    numbers = [tertial.number for tertial in tertials]
    promises = list(
        period.promises.order_by("order", "pk").prefetch_related(
            Prefetch(
                "activities__followups",
                queryset=FollowUp.objects.public().filter(
                    year=report.year, tertial__in=numbers
                ),
                to_attr="public_followups",
            ),
            Prefetch(
                "indicators__measurements",
                queryset=Measurement.objects.public().filter(
                    year=report.year, tertial__in=numbers
                ),
                to_attr="public_measurements",
            ),
            Prefetch(
                "year_end_comments",
                queryset=YearEndComment.objects.filter(year=report.year),
                to_attr="comments_for_year",
            ),
        )
    )
    promise_rows, indicator_rows = [], []
    for promise in promises:
        rows = []
        for activity in promise.activities.all():
            by_tertial = {followup.tertial: followup for followup in activity.public_followups}
            rows.append({
                "activity": activity,
                "target": target_text(activity),
                "cells": [by_tertial.get(number) for number in numbers],
            })
        comment = promise.comments_for_year[0].text if (
            report.tertial == 3 and promise.comments_for_year
        ) else ""
        promise_rows.append({"text": promise.text, "rows": rows, "year_end_comment": comment})
        for indicator in promise.indicators.all():
            by_tertial = {m.tertial: m.value for m in indicator.public_measurements}
            indicator_rows.append({
                "indicator": indicator,
                "target": target_text(indicator),
                "values": [by_tertial.get(number) for number in numbers],
            })
    return {
        "period": period,
        "report": report,
        "heading": _("Follow-up of the citizen promises, tertial %(number)s %(year)s")
        % {"number": report.tertial, "year": report.year},
        "tertials": tertials,
        "promises": promise_rows,
        "indicators": indicator_rows,
        "summary_paragraphs": paragraphs(report.summary),
    }


def render_tertial_report(report, *, version, created_at=None):
    """The tertial report as PDF/A: public follow-ups only, never an internal note."""
    with translation.override(settings.LANGUAGE_CODE):
        context = tertial_report_context(report)
    context.update(version=version, created_at=timezone.localtime(created_at))
    return render("pdf/tertial_report.html", context)
