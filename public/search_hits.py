"""One search hit, from its row of the search index: what it shows, where it leads, its
latest public status, its text with the words found marked."""

import functools
import html
import re
from dataclasses import dataclass
from types import SimpleNamespace

from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.template.defaultfilters import floatformat
from django.template.defaulttags import querystring
from django.utils import translation
from django.utils.translation import get_language, gettext, ngettext

from followup.progress import STATUS_LABELS, STATUS_MARKERS
from promises.models import Party
from public.addresses import addresses, addresses_with

WORD = re.compile(r"[^\W_]+")
# A page number no search has, to find where the number goes in a page's address.
PAGE_MARKER = "918273645"
SNIPPET_LENGTH = 300


class PageOfHits:
    """What the hits of one page share, worked out once for the page instead of once a hit:
    the addresses (one reverse() each), the translated words, the pattern of the words
    searched for."""

    def __init__(self, terms):
        self.terms = terms
        self.found = found_pattern(terms.roots)
        self.period_url = addresses("public:period")
        self.agreement_url = addresses("public:agreement")
        self.report_url = addresses_with("public:tertial_report", "pk", "year", "tertial")
        self.tertial = gettext("tertial %(tertial)s %(year)s")
        self.language = get_language()
        self.labels = {}  # lazy labels (kinds, parties, statuses) as text
        self.parties = {party.value: party.label for party in Party}

    def text(self, label):
        # By identity: a lazy label is hashed by translating it, which is the cost saved.
        text = self.labels.get(id(label))
        if text is None:
            text = self.labels[id(label)] = str(label)
        return text

    def hit(self, kind, row):
        return Hit(kind=kind, row=row, page=self).shown()


@dataclass
class Hit:
    kind: object  # a search.Kind
    row: dict  # a SearchEntry's values (search.SHOWN)
    page: PageOfHits

    def shown(self):
        """What the page shows of the hit, as plain values: the template reads each once,
        twenty hits and a dozen values each, instead of working out a property. (Jinja2
        reads `hit.url` as an attribute first: a namespace answers at once where a dict
        raises AttributeError before its key is tried.)"""
        kind, row = self.kind.name, self.row
        return SimpleNamespace(
            kind_line=self.kind_line,
            url=self.url,
            heading=self.heading,
            # What a follow-up is of comes before its account; a focus area's
            # description after its name.
            context_before=self.context if kind == "followup" else "",
            snippet=None if kind == "period" else self.snippet,
            context_after=self.context if kind == "focus_area" and row["more"] else "",
            dates=self.dates,
            status=SimpleNamespace(**{
                "class": self.status_class, "marker": self.marker, "label": self.status_label,
                "when": "" if kind == "followup" else f" ({self.tertial})",
            }) if self.has_status else None,
        )

    @property
    def municipalities(self):
        """"Flen, Katrineholm": the index keeps them in no particular order."""
        names = self.row["municipalities"]
        return ", ".join(sorted(names.split(", "))) if names else ""

    @property
    def url(self):
        row, page = self.row, self.page
        if row["agreement_id"]:
            return page.agreement_url(row["agreement_id"])
        if self.kind.name == "followup":
            return page.report_url(row["period_id"], row["year"], row["tertial"]) + (
                f"#promise-{row['promise_id']}"
            )
        url = page.period_url(row["period_id"])
        if row["promise_id"]:
            return f"{url}#promise-{row['promise_id']}"
        if self.kind.name in {"priority", "focus_area"}:
            return f"{url}#background"
        return url

    @property
    def title(self):
        return self.row["title"]

    @property
    def heading(self):
        """"Flen, Katrineholm: Medborgarlöfte 2024"."""
        places = self.municipalities
        return f"{places}: {self.title}" if places else self.title

    @property
    def kind_line(self):
        """"Aktivitet · 3. · Polisen", and a follow-up's tertial."""
        parts = [self.kind_and_label]
        if self.party_label:
            parts.append(self.party_label)
        if self.kind.name == "followup":
            parts.append(self.tertial)
        return " · ".join(parts)

    @property
    def tertial(self):
        return self.page.tertial % {
            "tertial": self.row["tertial"], "year": self.row["year"],
        }

    @property
    def dates(self):
        """"1 januari 2024–31 december 2025": when its period (or agreement) is valid."""
        language = self.page.language
        return (f"{long_date(self.row['valid_from'], language)}–"
                f"{long_date(self.row['valid_to'], language)}")

    @property
    def kind_and_label(self):
        """"Löfte 3" rather than "Löfte · Löfte 3"; "Aktivitet · 3." otherwise."""
        kind, label = self.page.text(self.kind.label), self.row["label"]
        if not label:
            return kind
        return label if label.lower().startswith(kind.lower()) else f"{kind} · {label}"

    @property
    def party_label(self):
        party = self.row["party"]
        return self.page.text(self.page.parties[party]) if party else ""

    @property
    def snippet(self):
        return highlight(self.row["text"], self.page.found)

    @property
    def context(self):
        """What a follow-up is of, or a focus area's description."""
        return highlight(self.row["more"] or "", self.page.found)

    @property
    def has_status(self):
        return self.kind.has_status and self.row["year"] is not None

    @property
    def status_label(self):
        return self.page.text(STATUS_LABELS[self.row["status"] or ""])

    @property
    def marker(self):
        return STATUS_MARKERS[self.row["status"] or ""]

    @property
    def status_class(self):
        return self.row["status"] or "not_reported"


@functools.lru_cache(maxsize=1024)
def long_date(value, language):
    """"1 januari 2024" in `language`: a page of hits shows a few periods' dates many
    times over."""
    with translation.override(language):
        return date_format(value, "j F Y")


@functools.lru_cache(maxsize=256)
def found_pattern(roots):
    """The words that begin with one of `roots`, in any case: a word is a run of letters
    and digits (WORD), so the match starts where no such character comes before."""
    if not roots:
        return re.compile(r"(?!)")  # nothing
    stems = "|".join(re.escape(stem) for stem in sorted(roots, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_])(?:{stems})[^\W_]*", re.IGNORECASE)


def highlight(text, found, length=SNIPPET_LENGTH):
    """`text` escaped, cut to about `length` characters around its first match, with each
    word `found` (a pattern, found_pattern) marked (<mark>)."""
    found = list(found.finditer(text))
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
        parts.append(html.escape(text[position:match.start()]))
        parts.append(f"<mark>{html.escape(match.group())}</mark>")
        position = match.end()
    parts.append(html.escape(text[position:end]))
    if end < len(text):
        parts.append("…")
    # Every piece is escaped above (html.escape, as Django's escape does): the text itself
    # is never trusted.
    return mark_safe("".join(parts))  # noqa: S308


def results_section(request, page, hits, query, page_range):
    """What public/jinja2/public/search_results.html shows of a page of hits: the count
    (or that there are more than the cap), which page this is, the hits, the links to the
    other pages (the address with its `page` changed, as `{% querystring %}` writes it),
    and the advice when nothing is found; its words translated here."""
    paginator = page.paginator
    cap = floatformat(hits.cap, "0g")
    if hits.is_capped:
        heading = gettext("More than %(cap)s hits for “%(query)s”.") % {
            "cap": cap, "query": query,
        }
    else:
        heading = ngettext(
            "%(counter)s hit for “%(query)s”.", "%(counter)s hits for “%(query)s”.",
            paginator.count,
        ) % {"counter": paginator.count, "query": query}

    # `{% querystring page=n %}` once, the page's number then put in its place (unless
    # the address holds the marker already: then once a link).
    parts = querystring(None, request.GET, page=PAGE_MARKER).split(PAGE_MARKER)

    def link(number):
        if len(parts) != 2:
            return querystring(None, request.GET, page=number)
        return f"{parts[0]}{int(number)}{parts[1]}"

    several = paginator.num_pages > 1
    return {
        "heading": heading,
        "page_note": gettext("Page %(number)s of %(pages)s") % {
            "number": page.number, "pages": paginator.num_pages,
        } if several else "",
        "capped_note": gettext(
            "The first %(cap)s are shown. Add a word or a filter to find fewer."
        ) % {"cap": cap} if hits.is_capped else "",
        "hits": page.object_list,
        "start": page.start_index(),
        "pages": [
            SimpleNamespace(number=number, current=number == page.number,
                            href=None if number == paginator.ELLIPSIS else link(number))
            for number in page_range
        ] if several else [],
        "previous": link(page.previous_page_number()) if several and page.has_previous()
        else None,
        "next": link(page.next_page_number()) if several and page.has_next() else None,
        "labels": SimpleNamespace(pages=gettext("Pages of hits"),
                                  previous=gettext("Previous"), next=gettext("Next")),
        "empty_note": "" if paginator.count else gettext(
            "Try another word, a shorter word, a filter less, or the name of a "
            "municipality."
        ),
    }
