"""The rows of one page of search hits, read in a fixed number of queries whatever matched:
what each hit shows, where it leads, its latest public status, its text with the words
found marked."""

import re
from dataclasses import dataclass

from django.db.models import (
    BigIntegerField, CharField, DateField, F, Func, OuterRef, Subquery, Value,
)
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from followup.models import FollowUp
from followup.progress import STATUS_LABELS, STATUS_MARKERS
from promises.models import Agreement, Party, PeriodMunicipality

WORD = re.compile(r"[^\W_]+")
SNIPPET_LENGTH = 300


def latest_status(kind, field="status"):
    """The status (or year, or tertial) of the row's latest public follow-up."""
    public = FollowUp.objects.public()
    if kind == "promise":
        rows = public.filter(promise=OuterRef("pk"), activity=None, indicator=None)
    else:
        rows = public.filter(**{kind: OuterRef("pk")})
    return Subquery(rows.order_by("-year", "-tertial").values(field)[:1])


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


def hydrate(keys, terms, kinds):
    """The hits for `keys` ((kind, pk), in rank order), read in two queries."""
    if not keys:
        return []
    parts = [
        details(kind, [pk for name, pk in keys if name == kind.name])
        for kind in kinds.values() if any(name == kind.name for name, _pk in keys)
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
        hits.append(Hit(kind=kinds[row["kind"]], row=row, terms=terms,
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
    kind: object  # a search.Kind
    row: dict
    terms: object  # a search.Terms
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
