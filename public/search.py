"""Search over published periods: municipality names and titles, promises, activities and
public follow-up accounts.

On PostgreSQL, Swedish full-text search with stemming, written with exactly the
expressions the GIN indexes hold (`to_tsvector('swedish', text)`), so they are used.
On SQLite a case-insensitive substring match.
"""

import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import Func, Q
from django.utils.translation import gettext_lazy as _

from followup.models import FollowUp
from promises.models import Activity, Promise, PromisePeriod

MAX_QUERY_LENGTH = 200
MAX_RESULTS_PER_KIND = 50


class BadQuery(Exception):
    def __init__(self, message, *, is_bad_request=True):
        super().__init__(message)
        self.message = message
        self.is_bad_request = is_bad_request


class SwedishVector(Func):
    """`to_tsvector('swedish', column)`, the very expression of our search indexes.

    Django's SearchVector wraps the column in COALESCE(… ::text), which no index matches.
    """

    function = "to_tsvector"
    template = "%(function)s('swedish'::regconfig, %(expressions)s)"
    output_field = SearchVectorField()


def clean_query(raw):
    """The query to search for, or BadQuery with a message for the person searching."""
    if len(raw) > MAX_QUERY_LENGTH:
        raise BadQuery(
            _("The search is too long. Use at most %(limit)d characters.")
            % {"limit": MAX_QUERY_LENGTH}
        )
    if any(unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn"}
           for char in raw if char not in "\t\n\r"):
        raise BadQuery(_("The search contains characters that cannot be searched for."))
    cleaned = " ".join(raw.split())
    if not cleaned:
        raise BadQuery(_("Type one or more words to search for."), is_bad_request=False)
    return cleaned


@dataclass
class Results:
    periods: list
    promises: list
    activities: list
    followups: list

    @property
    def count(self):
        return len(self.periods) + len(self.promises) + len(self.activities) + len(
            self.followups
        )


def text_matches(queryset, column, query):
    if connection.vendor == "postgresql":
        return queryset.annotate(matched_vector=SwedishVector(column)).filter(
            matched_vector=SearchQuery(query, config="swedish", search_type="websearch")
        )
    return queryset.filter(**{f"{column}__icontains": query})


def search(query):
    published = PromisePeriod.objects.published()
    periods = (
        published.filter(Q(municipalities__name__icontains=query) | Q(title__icontains=query))
        .distinct().select_related("police_area").prefetch_related("municipalities")
        .order_by("-valid_from", "pk")
    )
    promises = (
        text_matches(Promise.objects.filter(period__in=published), "text", query)
        .select_related("period")
        .order_by("-period__valid_from", "period", "order", "pk")
    )
    activities = (
        text_matches(Activity.objects.filter(promise__period__in=published), "text", query)
        .select_related("promise__period")
        .order_by("-promise__period__valid_from", "promise__order", "order", "pk")
    )
    followups = (
        text_matches(FollowUp.objects.public(), "account", query)
        .defer("internal_note")
        .select_related("promise__period", "activity", "indicator")
        .order_by("-year", "-tertial", "pk")
    )
    return Results(
        periods=list(periods[:MAX_RESULTS_PER_KIND]),
        promises=list(promises[:MAX_RESULTS_PER_KIND]),
        activities=list(activities[:MAX_RESULTS_PER_KIND]),
        followups=list(followups[:MAX_RESULTS_PER_KIND]),
    )
