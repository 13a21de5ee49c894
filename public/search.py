"""Search over what published periods say: municipality names and titles, promises,
activities, indicators, priorities, focus areas, their labels, and public follow-up
accounts, ranked, filtered and a page at a time.

Every word must be found in some form. On PostgreSQL a word is found by Swedish full-text
stemming, written with exactly the expressions the GIN indexes hold
(`to_tsvector('swedish', label || ' ' || text)`), or by a prefix of its root
("nattvandring", "nattvandrare" and "nattvandrande" share "nattvandr"), which the same
indexes answer. On SQLite a word is found as a case-insensitive substring of its root.

The hits of all kinds are ranked and cut to one page in one query of keys only; the page's
rows are then read in one more query, and the names of their municipalities in one more, so
a page costs the same however many rows match.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection
from django.db.models import (
    BigIntegerField, CharField, DateField, Exists, F, Func, IntegerField, OuterRef, Q,
    Subquery, Value,
)
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from followup.models import FollowUp
from followup.progress import STATUS_LABELS, STATUS_MARKERS
from promises.models import (
    Activity, Agreement, FocusArea, Indicator, Party, PeriodMunicipality, Priority, Promise,
    PromisePeriod,
)

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
# Counting every hit of a common word is as slow as finding them all: past this many the
# page says "more than 1 000" and offers the first ones.
COUNT_CAP = 1000
# A root shorter than this would find unrelated words ("bil" in "bild"); such a word is
# found by its own forms only.
MIN_ROOT = 5
SNIPPET_LENGTH = 300
PAGE_SIZE = 20

WORD = re.compile(r"[^\W_]+")
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


def latest_status(kind, field="status"):
    """The status (or year, or tertial) of the row's latest public follow-up."""
    public = FollowUp.objects.public()
    if kind == "promise":
        rows = public.filter(promise=OuterRef("pk"), activity=None, indicator=None)
    else:
        rows = public.filter(**{kind: OuterRef("pk")})
    return Subquery(rows.order_by("-year", "-tertial").values(field)[:1])


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
        return hydrate([(row["hit_kind"], row["hit_pk"]) for row in rows], self.terms)


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


# The page's rows -------------------------------------------------------------------------

COLUMNS = ("kind", "pk", "label", "text", "more", "period_id", "agreement_id", "title",
           "valid_from", "valid_to", "promise_id", "party", "status", "year", "tertial")


def details(kind, pks):
    """The columns a hit shows, the same for every kind (blank where one does not apply)."""
    # Typed NULLs: PostgreSQL resolves an untyped NULL in the first parts of a union as text.
    blank, none = Value("", output_field=CharField()), Cast(None, BigIntegerField())
    rows = kind.model.objects.filter(pk__in=pks)
    owner = kind.path
    values = {
        "kind": Value(kind.name, output_field=CharField()),
        "pk": F("pk"),
        "label": blank, "text": blank, "more": blank,
        "period_id": F(owner("pk")) if kind.period else F("pk"),
        "agreement_id": none,
        "title": F(owner("title")),
        "valid_from": F(owner("valid_from")),
        "valid_to": F(owner("valid_to")),
        "promise_id": none, "party": blank, "status": blank, "year": none, "tertial": none,
    }
    if kind.name == "period":
        values["text"] = F("title")
    elif kind.name == "followup":
        values.update(
            text=F("account"), promise_id=F("promise_id"), status=F("status"),
            year=F("year"), tertial=F("tertial"), party=F("promise__party"),
            more=Func(F("activity__text"), F("indicator__name"), F("promise__text"),
                      function="COALESCE", output_field=CharField()),
        )
    else:
        values.update(label=F("label"), text=F(kind.columns[1]))
    if kind.name == "focus_area":
        values.update(
            more=F("description"), agreement_id=F("agreement_id"),
            title=Func(F("period__title"), F("agreement__title"), function="COALESCE",
                       output_field=CharField()),
            valid_from=Func(F("period__valid_from"), F("agreement__valid_from"),
                            function="COALESCE", output_field=DateField()),
            valid_to=Func(F("period__valid_to"), F("agreement__valid_to"),
                          function="COALESCE", output_field=DateField()),
        )
    if kind.name == "promise":
        values.update(promise_id=F("pk"), party=F("party"))
    if kind.name in {"activity", "indicator"}:
        own = "responsible_party" if kind.name == "activity" else "reporting_party"
        values.update(promise_id=F("promise_id"), party=Func(
            Func(F(own), Value(""), function="NULLIF"), F("promise__party"),
            function="COALESCE", output_field=CharField(),
        ))
    if kind.has_status and kind.name != "followup":
        values.update(
            status=latest_status(kind.name), year=latest_status(kind.name, "year"),
            tertial=latest_status(kind.name, "tertial"),
        )
    names = {f"hit_{name}": value for name, value in values.items()}
    return rows.annotate(**names).values(*names).order_by()


def hydrate(keys, terms):
    """The hits for `keys` ((kind, pk), in rank order), read in two queries."""
    if not keys:
        return []
    parts = [
        details(kind, [pk for name, pk in keys if name == kind.name])
        for kind in KINDS.values() if any(name == kind.name for name, _pk in keys)
    ]
    rows = {
        (row["hit_kind"], row["hit_pk"]): row
        for row in parts[0].union(*parts[1:], all=True).order_by()
    }
    names = municipality_names(rows.values())
    hits = []
    for key in keys:
        row = {name.removeprefix("hit_"): value for name, value in rows[key].items()}
        owner = ("agreement", row["agreement_id"]) if row["agreement_id"] else (
            "period", row["period_id"])
        hits.append(Hit(kind=KINDS[row["kind"]], row=row, terms=terms,
                        municipalities=names.get(owner, "")))
    return hits


def municipality_names(rows):
    """{("period" or "agreement", pk): "Flen, Katrineholm"} in one query."""
    periods = {row["hit_period_id"] for row in rows if not row["hit_agreement_id"]}
    agreements = {row["hit_agreement_id"] for row in rows if row["hit_agreement_id"]}
    parts = []
    if periods:
        parts.append(PeriodMunicipality.objects.filter(period__in=periods).values_list(
            Value("period", output_field=CharField()), "period_id", "municipality__name",
        ).order_by())
    if agreements:
        parts.append(Agreement.municipalities.through.objects.filter(
            agreement__in=agreements
        ).values_list(
            Value("agreement", output_field=CharField()), "agreement_id", "municipality__name",
        ).order_by())
    names = {}
    for owner, pk, name in sorted(parts[0].union(*parts[1:], all=True).order_by(),
                                  key=lambda row: row[2]):
        names.setdefault((owner, pk), []).append(name)
    return {owner: ", ".join(found) for owner, found in names.items()}


@dataclass
class Hit:
    kind: Kind
    row: dict
    terms: Terms
    municipalities: str

    @property
    def url(self):
        row = self.row
        if row["agreement_id"]:
            return reverse("public:agreement", kwargs={"pk": row["agreement_id"]})
        if self.kind.name == "followup":
            return reverse("public:tertial_report", kwargs={
                "pk": row["period_id"], "year": row["year"], "tertial": row["tertial"],
            }) + f"#promise-{row['promise_id']}"
        url = reverse("public:period", kwargs={"pk": row["period_id"]})
        if row["promise_id"]:
            return f"{url}#promise-{row['promise_id']}"
        if self.kind.name in {"priority", "focus_area"}:
            return f"{url}#background"
        return url

    @property
    def title(self):
        return self.row["title"]

    @property
    def kind_and_label(self):
        """"Löfte 3" rather than "Löfte · Löfte 3"; "Aktivitet · 3." otherwise."""
        kind, label = str(self.kind.label), self.row["label"]
        if not label:
            return kind
        return label if label.lower().startswith(kind.lower()) else f"{kind} · {label}"

    @property
    def party_label(self):
        return Party(self.row["party"]).label if self.row["party"] else ""

    @property
    def snippet(self):
        return highlight(self.row["text"], self.terms)

    @property
    def context(self):
        """What a follow-up is of, or a focus area's description."""
        return highlight(self.row["more"] or "", self.terms)

    @property
    def has_status(self):
        return self.kind.has_status and self.row["year"] is not None

    @property
    def status_label(self):
        return STATUS_LABELS[self.row["status"] or ""]

    @property
    def marker(self):
        return STATUS_MARKERS[self.row["status"] or ""]

    @property
    def status_class(self):
        return self.row["status"] or "not_reported"


def highlight(text, terms, length=SNIPPET_LENGTH):
    """`text` escaped, cut to about `length` characters around its first match, with each
    word found marked (<mark>)."""
    found = [
        match for match in WORD.finditer(text)
        if any(match.group().lower().startswith(stem) for stem in terms.roots)
    ]
    start, end, parts = 0, len(text), []
    if len(text) > length:
        first = found[0].start() if found else 0
        start = max(0, min(first - length // 3, len(text) - length))
        end = start + length
        if start:
            start = text.find(" ", start) + 1 or start
            parts.append("…")
    position = start
    for match in found:
        if match.start() < start or match.end() > end:
            continue
        parts.append(escape(text[position:match.start()]))
        parts.append(format_html("<mark>{}</mark>", match.group()))
        position = match.end()
    parts.append(escape(text[position:end]))
    if end < len(text):
        parts.append("…")
    # Every piece is escaped above (escape, format_html): the text itself is never trusted.
    return mark_safe("".join(parts))  # noqa: S308
