"""Search over what published periods say: municipality names and titles, promises,
activities, indicators, priorities, focus areas, their labels, and public follow-up
accounts, ranked, filtered and a page at a time.

Everything is read from the search index (public.models.SearchEntry, kept by
public/search_index.py): one row for each published thing, with what its hit shows and is
filtered by. Every word must be found in some form. On PostgreSQL a word is found by
Swedish full-text stemming against the rows' stored vectors (under a GIN index), or by a
prefix of its root ("nattvandring", "nattvandrare" and "nattvandrande" share "nattvandr"),
which the same index answers. On SQLite a word is found as a case-insensitive substring of
its root.

Hits are ranked by kind, then newest period first, which an index of the table holds, so
the database ranks and limits before it reads a row's text (periods, found by their titles
and municipalities' names only, have their own small full-text index: PAGE). A page costs
the same queries however many rows match: one counts them up to a cap and reads the page's
rows (and, filtered by place, one finds the periods and agreements of that place). The
statements are written out, not built by the ORM, which took longer to compile them than
PostgreSQL took to answer them.
"""

import unicodedata
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import CharField, Exists, OuterRef, Value
from django.utils.translation import gettext_lazy as _

from promises.models import Agreement, PeriodMunicipality, PromisePeriod
from public import search_index
from public.models import SearchEntry
from public.search_hits import WORD, PageOfHits

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
# Counting every hit of a common word is as slow as finding them all: past this many the
# page says "more than 100" and offers the first ones, five pages, and a word or a filter
# more. The count is what a search spends most of its time in the database on, in
# proportion to the cap (a count to 1 001 cost five times one to 201; one to 201 was
# still the larger part of the search's query on the national data, bench/RESULTS.md).
COUNT_CAP = 100
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
        """PostgreSQL: every word, each by its Swedish stem or by a prefix of its root, as
        SQL and its parameters."""
        parts, params = [], []
        for word, stem in zip(self.words, self.roots, strict=True):
            if len(stem) >= MIN_ROOT:
                parts.append("(plainto_tsquery('swedish'::regconfig, %s)"
                             " || to_tsquery('simple'::regconfig, %s))")
                params += [word, f"{stem}:*"]
            else:
                parts.append("plainto_tsquery('swedish'::regconfig, %s)")
                params.append(word)
        return " && ".join(parts), params


@dataclass(frozen=True)
class Filters:
    municipality: object = None  # a Municipality's pk
    county: object = None  # a County's pk
    year: int | None = None
    party: str = ""
    status: str = ""


@dataclass(frozen=True)
class Kind:
    name: str
    label: object
    has_status: bool = False  # a promise, activity or indicator shows its latest status


KINDS = {
    kind.name: kind
    for kind in (
        Kind("period", _("Citizen promise")),
        Kind("promise", _("Promise"), has_status=True),
        Kind("priority", _("Priority")),
        Kind("focus_area", _("Focus area")),
        Kind("indicator", _("Indicator"), has_status=True),
        Kind("activity", _("Activity"), has_status=True),
        Kind("followup", _("Follow-up"), has_status=True),
    )
}
# Hits are ranked by kind (search_index.RANKS), then newest period first.
RANKING = "rank DESC, valid_from DESC, object_id DESC"
TABLE = SearchEntry._meta.db_table
# The rank of periods (search_index.RANKS), above every other kind's: the ranking index
# and the periods' own full-text index are partial at it (models.py, migration 0008).
NAMED = search_index.RANKS["period"]
# What a hit shows (public/search_hits.py), the kind first.
SHOWN = ("kind", "object_id", "period_id", "agreement_id", "promise_id", "title", "valid_from",
         "valid_to", "municipalities", "label", "text", "more", "party", "status", "year",
         "tertial")


def matching(terms, filters):
    """The WHERE clause, as SQL and its parameters, of the index rows that hold every word
    and pass the filters. Written out, not built by the ORM: compiling a search's queries
    took the ORM longer than the database took to answer them."""
    clauses, params = [], []
    if connection.vendor == "postgresql":
        sql, params = terms.tsquery()
        clauses.append(f"vector @@ ({sql})")
    else:
        for stem in terms.roots:
            # A root holds letters and digits only (WORD): nothing in it means anything to
            # LIKE. SQLite's LIKE ignores the case of ASCII letters, as Django's icontains.
            clauses.append(
                "(label LIKE %s OR text LIKE %s OR (kind = 'period' AND municipalities LIKE %s)"
                " OR (kind = 'focus_area' AND more LIKE %s))"
            )
            params += [f"%{stem}%"] * 4
    if filters.municipality or filters.county:
        periods, agreements = places(filters)
        clauses.append(f"(period_id IN ({numbers(periods)})"
                       f" OR agreement_id IN ({numbers(agreements)}))")
    if filters.year:
        clauses.append(
            "((kind = 'followup' AND year = %s)"
            " OR (kind <> 'followup' AND valid_from <= %s AND valid_to >= %s))"
        )
        params += [filters.year, date(filters.year, 12, 31), date(filters.year, 1, 1)]
    # Periods, priorities and focus areas have neither party nor status: a filter on
    # either leaves them out.
    if filters.party:
        clauses.append("party = %s")
        params.append(filters.party)
    if filters.status:
        clauses.append("status = %s")
        params.append(filters.status)
    return " AND ".join(clauses), params


def numbers(pks):
    """Primary keys written into SQL as numbers (never text: int() refuses anything else),
    so that a place's hundreds of periods do not become as many parameters; NULL for none,
    which no row equals."""
    return ", ".join(str(int(pk)) for pk in pks) or "NULL"


def places(filters):
    """The periods and agreements that have the municipality and one in the county asked
    for (one query): the index is then read by its period and agreement indexes."""
    lookups = []
    if filters.municipality:
        lookups.append({"municipality": filters.municipality})
    if filters.county:
        lookups.append({"municipality__county": filters.county})
    owners = []
    for model, through, name in (
        (PromisePeriod, PeriodMunicipality, "period"),
        (Agreement, Agreement.municipalities.through, "agreement"),
    ):
        owners.append(model.objects.filter(*[
            Exists(through.objects.filter(**{name: OuterRef("pk")}, **lookup))
            for lookup in lookups
        ]).values_list(Value(name, output_field=CharField()), "pk").order_by())
    found = {"period": [], "agreement": []}
    for name, pk in owners[0].union(owners[1], all=True).order_by():
        found[name].append(pk)
    return found["period"], found["agreement"]


# The statements of a search; {where} is its WHERE clause (matching()).
COUNT = "SELECT count(*) FROM (SELECT 1 FROM {table} WHERE {where} LIMIT {cap}) AS found"
# The periods, ranked first, are found by their titles and municipalities'
# names only, which few searches ask for: they are read by their own small full-text index
# (migration 0008), so that a search for anything else does not walk every period's row in
# the ranking index before its first hit. Both parts come ranked; the database merges them.
PAGE = f"""
    SELECT {{shown}} FROM (
        SELECT * FROM (
            SELECT {{shown}}, rank FROM {{table}} WHERE rank = {NAMED} AND ({{where}})
            ORDER BY {{ranking}} LIMIT {{end}}
        ) AS named
        UNION ALL
        SELECT * FROM (
            SELECT {{shown}}, rank FROM {{table}} WHERE rank < {NAMED} AND ({{where}})
            ORDER BY {{ranking}} LIMIT {{end}}
        ) AS described
    ) AS hits ORDER BY {{ranking}} LIMIT {{limit}} OFFSET {{offset}}
"""
# Both in one round trip: the count, an uncorrelated subquery computed once, on every row
# of the page.
COUNT_AND_PAGE = PAGE.replace("SELECT {shown} FROM (", f"SELECT ({COUNT}), {{shown}} FROM (", 1)


class Hits:
    """The ranked hits of a search, sliced by Django's Paginator one page at a time: their
    count (up to COUNT_CAP + 1) and the rows of the page shown, read together in one query
    when the page asked for (`page`, as the address gives it) has hits, which is what
    nearly every search shows."""

    cap = COUNT_CAP

    def __init__(self, terms, filters, page=None):
        search_index.catch_up()
        self.terms = terms
        self.where = matching(terms, filters) if terms.words else None
        self.wanted = wanted_slice(page)
        self._count = None
        self._rows = None  # (start, stop, rows) read with the count

    def counted(self):
        if self._count is None:
            if not self.where:
                self._count = 0
                return self._count
            start, stop = self.wanted
            rows = self.read(COUNT_AND_PAGE, limit=stop - start, offset=start)
            if rows:
                self._count = rows[0][0]
                self._rows = (start, stop, [row[1:] for row in rows])
            elif start == 0:  # nothing on the first page: no hits at all
                self._count = 0
            else:  # none on the page asked for: Paginator shows another
                self._count = self.read(COUNT)[0][0]
        return self._count

    def count(self):
        return min(self.counted(), COUNT_CAP)

    @property
    def is_capped(self):
        return self.counted() > COUNT_CAP

    def __len__(self):
        return self.count()

    def __getitem__(self, page):
        if page.start >= page.stop or not self.where:
            return []
        if self._rows and self._rows[0] == page.start and page.stop <= self._rows[1]:
            # The last page ends at the count: the rows read are all it has.
            rows = self._rows[2][: page.stop - page.start]
        else:
            rows = self.read(PAGE, limit=page.stop - page.start, offset=page.start)
        page_of_hits = PageOfHits(self.terms)
        return [page_of_hits.hit(KINDS[row[0]], dict(zip(SHOWN, row, strict=True)))
                for row in rows]

    def statement(self, statement, *, limit=0, offset=0):
        """(SQL, parameters) of `statement` (COUNT, PAGE, COUNT_AND_PAGE) for this search:
        its WHERE clause wherever the statement has one."""
        where, where_params = self.where
        sql = statement.format(
            table=TABLE, where=where, cap=COUNT_CAP + 1, shown=", ".join(SHOWN),
            ranking=RANKING, limit=int(limit), offset=int(offset), end=int(offset + limit),
        )
        return sql, where_params * statement.count("{where}")

    def read(self, statement, **slice_):
        with connection.cursor() as cursor:
            cursor.execute(*self.statement(statement, **slice_))
            return cursor.fetchall()


def wanted_slice(page):
    """(start, stop) of the rows of the page Paginator.get_page will most likely show for
    `page` as the address gives it: that page if a search can show it; the first for an
    address that is not a number; the last a search can show for a number out of range
    (a guess: a search with fewer hits has fewer pages, and its page is read again)."""
    last = -(-COUNT_CAP // PAGE_SIZE)
    try:
        number = int(page)
    except (TypeError, ValueError):
        number = 1
    if not 1 <= number <= last:
        number = last
    return (number - 1) * PAGE_SIZE, number * PAGE_SIZE
