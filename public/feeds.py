"""Atom feeds of what is newly published: periods and tertial reports, per municipality and
for the whole country."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from followup.models import TertialReport
from municipalities.models import Municipality
from promises.models import PromisePeriod

FEED_LENGTH = 50


class TextSummaryAtomFeed(Atom1Feed):
    """Atom with summaries as plain text: they are coordinators' words, never markup."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        if item.get("text_summary"):
            handler.addQuickElement("summary", item["text_summary"], {"type": "text"})


def entry_id(item):
    """A permanent, absolute entry id (RFC 4287): a tag URI on the site's own host."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    kind = "report" if isinstance(item, TertialReport) else "period"
    return f"tag:{host},2018:{kind}-{item.pk}"


def newest(periods, reports):
    """Periods and tertial reports together, newest publication first."""
    periods = periods.prefetch_related("municipalities").order_by("-published_at")[
        :FEED_LENGTH
    ]
    reports = reports.select_related("period").prefetch_related(
        "period__municipalities"
    ).order_by("-published_at")[:FEED_LENGTH]
    items = list(periods) + list(reports)
    items.sort(key=lambda item: item.published_at, reverse=True)
    return items[:FEED_LENGTH]


class NationalFeed(Feed):
    feed_type = TextSummaryAtomFeed

    def title(self):
        return _("Citizen promises: newly published")

    def subtitle(self):
        return _("New citizen promises and tertial follow-up reports from all municipalities.")

    def link(self):
        return reverse("public:home")

    def items(self):
        return newest(PromisePeriod.objects.published(), TertialReport.objects.public())

    def item_title(self, item):
        if isinstance(item, TertialReport):
            return _("%(municipality)s: follow-up for tertial %(tertial)s %(year)s") % {
                "municipality": item.period.municipality_names(),
                "tertial": item.tertial,
                "year": item.year,
            }
        return f"{item.municipality_names()}: {item.title}"

    def item_description(self, item):
        return None

    def item_extra_kwargs(self, item):
        if isinstance(item, TertialReport):
            summary = item.summary or item.period.title
        else:
            summary = item.introduction or item.title
        return {"text_summary": summary}

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_guid(self, item):
        return entry_id(item)

    def item_guid_is_permalink(self, item):
        return False


class MunicipalityFeed(NationalFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Municipality, slug=slug)

    def title(self, municipality):
        return _("Citizen promises in %(municipality)s") % {"municipality": municipality.name}

    def subtitle(self, municipality):
        return _("New citizen promises and tertial follow-up reports for %(municipality)s.") % {
            "municipality": municipality.name
        }

    def link(self, municipality):
        return municipality.get_absolute_url()

    def items(self, municipality):
        return newest(
            PromisePeriod.objects.published().for_municipality(municipality),
            TertialReport.objects.public().filter(period__municipalities=municipality),
        )
