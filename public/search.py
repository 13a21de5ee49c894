"""Search over what published periods say: municipality names and titles, promises,
activities, indicators, priorities, focus areas, their labels, and public follow-up
accounts, ranked, filtered and a page at a time.

Every word must be found in some form. On PostgreSQL a word is found by Swedish full-text
stemming, written with exactly the expressions the GIN indexes hold
(`to_tsvector('swedish', label || ' ' || text)`), or by a prefix of its root
("nattvandring", "nattvandrare" and "nattvandrande" share "nattvandr"), which the same
indexes answer. On SQLite a word is found as a case-insensitive substring of its root.

Hits are ranked by kind, then newest period first. A page costs the same queries however
many rows match: one counts each kind up to a cap, one reads the page's keys from the kinds
it shows, and public/search_hits.py reads the page's rows and their municipalities' names.
"""

import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import CharField, DateField, Exists, F, Func, IntegerField, OuterRef, Q, Value
from django.utils.translation import gettext_lazy as _

from followup.models import FollowUp
from promises.models import (
    Activity, Agreement, FocusArea, Indicator, PeriodMunicipality, Priority, Promise,
    PromisePeriod,
)
from public.search_hits import WORD, hydrate, latest_status

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
# Counting every hit of a common word is as slow as finding them all: past this many the
# page says "more than 1 000" and offers the first ones.
COUNT_CAP = 1000
# A root shorter than this would find unrelated words ("bil" in "bild"); such a word is
# found by its own forms only.
MIN_ROOT = 5
PAGE_SIZE = 20

# Swedish endings of inflection and of the commonest derivations, longest first: what is
# left is a word's root, and words sharing a root are related forms.
ENDINGS = sorted(
    {
        "heterna", "hetens", "heten", "heter", "het", "arnas", "ernas", "ornas", "andes",
        "andet", "ande", "ende", "arens", "arna", "erna", "orna", "are", "aren", "ares",
        "ingarnas", "ingarna", "ingar", "ingen", "ingens", "ings", "ing", "ningar",
        "ningen", "ning", "aste", "ast", "ade", "ad", "ar", "er", "or", "en", "et", "na",
        "as", "es", "a", "e", "s",
    },
    key=len, reverse=True,
)


class BadQuery(Exception):
    def __init__(self, message, *, is_bad_request=True):
        super().__init__(message)
        self.message = message
        self.is_bad_request = is_bad_request


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


def root(word):
    """The word without its Swedish ending, when enough is left to mean something."""
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_ROOT:
            return word[: -len(ending)]
    return word


@dataclass(frozen=True)
class Terms:
    """The words searched for and the roots their related forms share."""

    words: tuple
    roots: tuple

    @classmethod
    def of(cls, query):
        words = tuple(dict.fromkeys(w.lower() for w in WORD.findall(query)))[:MAX_WORDS]
        return cls(words=words, roots=tuple(root(w) for w in words))

    def tsquery(self):
        """Every word, each by its Swedish stem or by a prefix of its root."""
        combined = None
        for word, stem in zip(self.words, self.roots, strict=True):
            term = SearchQuery(word, config="swedish", search_type="plain")
            if len(stem) >= MIN_ROOT:
                term |= SearchQuery(f"{stem}:*", config="simple", search_type="raw")
            combined = term if combined is None else combined & term
        return combined

    def substring_q(self, columns):
        """SQLite: every word's root in one of the columns."""
        condition = Q()
        for stem in self.roots:
            either = Q()
            for column in columns:
                either |= Q(**{f"{column}__icontains": stem})
            condition &= either
        return condition


class SwedishVector(Func):
    """`to_tsvector('swedish', a || ' ' || b)`, the very expression of our search indexes.

    Django's SearchVector wraps each column in COALESCE(… ::text), which no index matches.
    """

    function = "to_tsvector"
    template = "%(function)s('swedish'::regconfig, %(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = SearchVectorField()


@dataclass(frozen=True)
class Filters:
    municipality: object = None  # a Municipality's pk
    county: object = None  # a County's pk
    year: int | None = None
    party: str = ""
    status: str = ""


# What each kind of hit is: its rows, the columns searched, where its period is.
@dataclass(frozen=True)
class Kind:
    name: str
    label: object
    model: type
    columns: tuple
    period: str  # path to the period ("" for the period itself)
    rank: int  # kinds higher up come first; within a kind, the newest rows
    has_party: bool = False
    has_status: bool = False
    owned_by_agreement: bool = False

    def published(self):
        if self.model is PromisePeriod:
            return PromisePeriod.objects.published()
        if self.model is FollowUp:
            return FollowUp.objects.public()
        if self.owned_by_agreement:
            return self.model.objects.filter(
                Q(period__status="published") | Q(agreement__status="published")
            )
        return self.model.objects.filter(**{f"{self.period}__status": "published"})

    def path(self, field):
        return f"{self.period}__{field}" if self.period else field


KINDS = {
    kind.name: kind
    for kind in (
        Kind("period", _("Citizen promise"), PromisePeriod, ("title",), "", 7),
        Kind("promise", _("Promise"), Promise, ("label", "text"), "period", 6,
             has_party=True, has_status=True),
        Kind("priority", _("Priority"), Priority, ("label", "text"), "period", 5),
        Kind("focus_area", _("Focus area"), FocusArea, ("label", "name", "description"),
             "period", 4, owned_by_agreement=True),
        Kind("indicator", _("Indicator"), Indicator, ("label", "name"), "promise__period", 3,
             has_party=True, has_status=True),
        Kind("activity", _("Activity"), Activity, ("label", "text"), "promise__period", 2,
             has_party=True, has_status=True),
        Kind("followup", _("Follow-up"), FollowUp, ("account",), "promise__period", 1,
             has_party=True, has_status=True),
    )
}


def party_q(kind, party):
    if kind == "promise":
        return Q(party=party)
    if kind in {"activity", "indicator"}:
        own = "responsible_party" if kind == "activity" else "reporting_party"
        return Q(**{own: party}) | Q(**{own: "", "promise__party": party})
    # A follow-up is reported by its subject's party, else by the promise's.
    return (
        Q(activity__responsible_party=party) | Q(indicator__reporting_party=party)
        | ((Q(activity__isnull=True) | Q(activity__responsible_party=""))
           & (Q(indicator__isnull=True) | Q(indicator__reporting_party=""))
           & Q(promise__party=party))
    )


def place_q(kind, **lookup):
    """Rows whose period (or agreement) has a municipality matching `lookup`."""
    in_period = Exists(PeriodMunicipality.objects.filter(
        period=OuterRef(kind.path("pk")) if kind.period else OuterRef("pk"), **lookup
    ))
    if not kind.owned_by_agreement:
        return in_period
    in_agreement = Exists(Agreement.municipalities.through.objects.filter(
        agreement=OuterRef("agreement"), **lookup
    ))
    return in_period | in_agreement


def year_q(kind, year):
    if kind.model is FollowUp:
        return Q(year=year)
    starts, ends = f"{year}-12-31", f"{year}-01-01"
    condition = Q(**{kind.path("valid_from__lte"): starts, kind.path("valid_to__gte"): ends})
    if kind.owned_by_agreement:
        condition |= Q(agreement__valid_from__lte=starts, agreement__valid_to__gte=ends)
    return condition


def matching(kind, terms, filters):
    """The published rows of `kind` that match, as (kind, rank, date, pk), or None when the
    filters rule the kind out."""
    if (filters.party and not kind.has_party) or (filters.status and not kind.has_status):
        return None
    rows = kind.published()
    if kind.model is PromisePeriod:
        rows = rows.filter(period_text_q(terms))
    elif connection.vendor == "postgresql":
        rows = rows.annotate(hit_vector=SwedishVector(*kind.columns)).filter(
            hit_vector=terms.tsquery()
        )
    else:
        rows = rows.filter(terms.substring_q(kind.columns))
    if filters.municipality:
        rows = rows.filter(place_q(kind, municipality=filters.municipality))
    if filters.county:
        rows = rows.filter(place_q(kind, municipality__county=filters.county))
    if filters.year:
        rows = rows.filter(year_q(kind, filters.year))
    if filters.party:
        rows = rows.filter(party_q(kind.name, filters.party))
    if filters.status:
        if kind.model is FollowUp:
            rows = rows.filter(status=filters.status)
        else:
            rows = rows.annotate(hit_status=latest_status(kind.name)).filter(
                hit_status=filters.status
            )
    date = F(kind.path("valid_from"))
    if kind.owned_by_agreement:
        date = Func(F("period__valid_from"), F("agreement__valid_from"), function="COALESCE",
                    output_field=DateField())
    return rows.annotate(
        hit_kind=Value(kind.name, output_field=CharField()),
        hit_rank=Value(kind.rank, output_field=IntegerField()),
        hit_date=date,
        hit_pk=F("pk"),
    ).values("hit_kind", "hit_rank", "hit_date", "hit_pk").order_by()


def period_text_q(terms):
    """Every word's root in the period's title or in one of its municipalities' names."""
    condition = Q()
    for stem in terms.roots:
        condition &= Q(title__icontains=stem) | Q(pk__in=PeriodMunicipality.objects.filter(
            municipality__name__icontains=stem,
        ).values("period_id"))
    return condition


class Hits:
    """The ranked hits of a search, sliced by Django's Paginator one page at a time.

    Hits are ranked by kind (periods, promises, priorities, focus areas, indicators,
    activities, follow-up accounts), then newest period first. One query counts the hits of
    each kind, each count stopping past COUNT_CAP; a page then reads the keys of only the
    kinds it shows, so a common word's thousands of follow-up accounts are never read for
    its first pages.
    """

    cap = COUNT_CAP

    def __init__(self, terms, filters):
        self.terms = terms
        parts = [matching(kind, terms, filters) for kind in KINDS.values()] if terms.words \
            else []
        self.parts = [part for part in parts if part is not None]
        self._counts = None

    def counts(self):
        """The number of hits of each part, each counted up to COUNT_CAP + 1, in one query."""
        if self._counts is None:
            self._counts = capped_counts(self.parts, COUNT_CAP + 1) if self.parts else []
        return self._counts

    def count(self):
        return min(sum(self.counts()), COUNT_CAP)

    @property
    def is_capped(self):
        return sum(self.counts()) > COUNT_CAP

    def __len__(self):
        return self.count()

    def __getitem__(self, page):
        if page.start >= page.stop:
            return []
        shown, skipped, before = [], 0, 0
        for part, count in zip(self.parts, self.counts(), strict=True):
            if before + count > page.start and before < page.stop:
                shown.append(part)
            elif not shown:
                skipped += count
            before += count
        if not shown:
            return []
        ranked = shown[0].union(*shown[1:], all=True).order_by(
            "-hit_rank", "-hit_date", "-hit_pk"
        )
        rows = ranked[page.start - skipped: page.stop - skipped]
        return hydrate([(row["hit_kind"], row["hit_pk"]) for row in rows], self.terms, KINDS)


# Keeps each level a subquery of its own, so that a count is made once rather than again
# wherever a later level reads it.
FENCE = {True: " OFFSET 0", False: " LIMIT -1 OFFSET 0"}


def capped_counts(parts, limit):
    """[count of each part, up to `limit`], in one statement. Once the parts counted reach
    `limit` the later ones are not counted at all (0): no page goes past the cap."""
    sql, params, columns = "SELECT 1 AS start", [], []
    for number, part in enumerate(parts):
        part_sql, part_params = part.query.sql_with_params()
        so_far = " + ".join(columns) or "0"
        column = f"c{number}"
        sql = (
            f"SELECT {''.join(f'{c}, ' for c in columns)}"
            f"CASE WHEN {so_far} >= %s THEN 0 ELSE "
            f"(SELECT COUNT(*) FROM ({part_sql} LIMIT %s) AS part) END AS {column} "
            f"FROM ({sql}{FENCE[connection.vendor == 'postgresql']}) AS counted{number}"
        )
        params = [limit, *part_params, limit, *params]
        columns.append(column)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchone())
