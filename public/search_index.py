"""The search index (public.models.SearchEntry): one row for each published thing a search
finds, written from the source tables, so that a search ranks, counts and pages through
one table and a page of hits needs no join (public/search.py).

What is written, and when:
- Publishing or unpublishing a period, an agreement or a tertial report (the `published`
  and `unpublished` signals of promises/publishing.py, sent inside the transaction that
  changes the state): that period's or agreement's rows are written again at once, in the
  same transaction, so a withdrawal and its removal from the index commit together.
- Any other save or delete of what a hit shows or is filtered by (a correction after
  publication, a period's municipalities, a municipality's name): noted, and the rows
  concerned are written once when the transaction commits, however many rows it saved. A
  search made by the same thread before that (a test, a command) writes them first.
- Bulk writes that send no signal per row send `bulk_change` (the dataset generator, data
  migrations), and a load of fixtures saves rows raw: everything is written again.
- `manage.py rebuild_search_index` writes everything again (after an upgrade, say), and
  so does migration 0005 for an existing installation.

Rows are written by `INSERT … SELECT` from the source tables, so that rebuilding the
national dataset (about 300 000 rows) is a few statements, not 300 000 round trips. The
same `sources` serve the migration (with its historical models) and the running site.
"""

from dataclasses import dataclass, field

from django.apps import apps as installed_apps
from django.contrib.postgres.search import SearchVectorField
from django.db import connection, transaction
from django.db.models import (
    BigIntegerField, CharField, Exists, F, Func, IntegerField, OuterRef, Q, StringAgg,
    Subquery, TextField, Value,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.db.models.signals import m2m_changed, post_delete, post_save

from promises.signals import bulk_change, published, unpublished
from public.commit_batches import Notes

# The kinds of hit: their ranking (higher first) is public/search.py's too.
RANKS = {"period": 7, "promise": 6, "priority": 5, "focus_area": 4, "indicator": 3,
         "activity": 2, "followup": 1}
# SearchEntry's columns, as INSERT … SELECT writes them (and `vector` on PostgreSQL).
COLUMNS = ("kind", "rank", "object_id", "period_id", "agreement_id", "promise_id", "title",
           "valid_from", "valid_to", "municipalities", "label", "text", "more", "party",
           "status", "year", "tertial")
# What is searched of each kind besides `label` and `text`.
SEARCHED_TOO = {"period": "municipalities", "focus_area": "more"}
# Above this many rows, things and places noted in one transaction (a load of fixtures, a
# migration's data), everything is written again instead: the lists would outgrow what a
# statement takes (SQLite: 32 766 parameters).
MOST_NOTED = 10_000


class SwedishVector(Func):
    """`strip(to_tsvector('swedish', a || ' ' || b …))`: the Swedish words of the columns,
    without their positions (nothing ranks by them; the vectors are a quarter smaller).
    Django's SearchVector wraps each column in COALESCE(… ::text); these are never NULL."""

    function = "to_tsvector"
    template = "strip(%(function)s('swedish'::regconfig, %(expressions)s))"
    arg_joiner = " || ' ' || "
    output_field = SearchVectorField()


def blank():
    return Value("", output_field=CharField())


def none():
    # Typed: PostgreSQL reads an untyped NULL in a subquery's select list as text.
    return Cast(None, BigIntegerField())


def has_vector():
    return connection.vendor == "postgresql"


# --- what each kind's rows say ---------------------------------------------------------

def names_of(through, owner, ref):
    """The names of the municipalities of the period or agreement `ref` points at,
    "Katrineholm, Flen" (in no particular order: a hit sorts them)."""
    return Coalesce(
        Subquery(
            through.objects.filter(**{owner: OuterRef(ref)}).order_by()
            .values(owner).annotate(names=StringAgg("municipality__name", Value(", ")))
            .values("names")[:1]
        ),
        blank(),
        output_field=TextField(),
    )


class Sources:
    """The rows of each kind of hit as querysets of SearchEntry's columns (prefixed `e_`,
    since a model's own field names may not be annotations), read from the models of
    `apps` (the installed ones, or a migration's historical ones)."""

    def __init__(self, apps):
        self.model = apps.get_model
        period_model = self.model("promises", "PromisePeriod")
        agreement_model = self.model("promises", "Agreement")
        self.period_through = period_model._meta.get_field("municipalities").remote_field.through
        self.agreement_through = (
            agreement_model._meta.get_field("municipalities").remote_field.through
        )

    def public_followups(self):
        report = self.model("followup", "TertialReport")
        return self.model("followup", "FollowUp").objects.filter(
            Exists(report.objects.filter(
                period_id=OuterRef("promise__period_id"), year=OuterRef("year"),
                tertial=OuterRef("tertial"), status="published",
            )),
            promise__period__status="published",
        )

    def latest(self, kind, name):
        """The status (or year, or tertial) of the row's latest public follow-up."""
        if kind == "promise":
            rows = self.public_followups().filter(
                promise=OuterRef("pk"), activity=None, indicator=None,
            )
        else:
            rows = self.public_followups().filter(**{kind: OuterRef("pk")})
        return Subquery(rows.order_by("-year", "-tertial").values(name)[:1])

    def period_columns(self, path):
        prefix = f"{path}__" if path else ""
        return {
            "period_id": F(f"{prefix}pk") if path else F("pk"),
            "agreement_id": none(),
            "title": F(f"{prefix}title"),
            "valid_from": F(f"{prefix}valid_from"),
            "valid_to": F(f"{prefix}valid_to"),
            "municipalities": names_of(self.period_through, "period",
                                       f"{prefix}pk" if path else "pk"),
        }

    def status_columns(self, kind):
        return {"status": Coalesce(self.latest(kind, "status"), blank()),
                "year": self.latest(kind, "year"), "tertial": self.latest(kind, "tertial")}

    def columns(self, kind):
        """{column: expression} for the rows of `kind`."""
        values = {
            "kind": Value(kind, output_field=CharField()),
            "rank": Value(RANKS[kind], output_field=IntegerField()),
            "object_id": F("pk"),
            "promise_id": none(), "label": blank(), "more": blank(), "party": blank(),
            "status": blank(), "year": none(), "tertial": none(),
        }
        if kind == "period":
            values.update(self.period_columns(""), text=F("title"))
        elif kind == "promise":
            values.update(self.period_columns("period"), promise_id=F("pk"), label=F("label"),
                          text=F("text"), party=F("party"), **self.status_columns(kind))
        elif kind == "priority":
            values.update(self.period_columns("period"), label=F("label"), text=F("text"))
        elif kind == "focus_area":
            values.update(
                period_id=F("period_id"), agreement_id=F("agreement_id"),
                title=Coalesce("period__title", "agreement__title"),
                valid_from=Coalesce("period__valid_from", "agreement__valid_from"),
                valid_to=Coalesce("period__valid_to", "agreement__valid_to"),
                municipalities=Coalesce(
                    NullIf(names_of(self.period_through, "period", "period_id"), blank()),
                    names_of(self.agreement_through, "agreement", "agreement_id"),
                    output_field=TextField(),
                ),
                label=F("label"), text=F("name"), more=F("description"),
            )
        elif kind in {"indicator", "activity"}:
            own = "reporting_party" if kind == "indicator" else "responsible_party"
            values.update(
                self.period_columns("promise__period"), promise_id=F("promise_id"),
                label=F("label"), text=F("name" if kind == "indicator" else "text"),
                party=Coalesce(NullIf(own, blank()), "promise__party"),
                **self.status_columns(kind),
            )
        else:  # a follow-up: of a promise, an activity or an indicator
            values.update(
                self.period_columns("promise__period"), promise_id=F("promise_id"),
                text=F("account"),
                more=Coalesce("activity__text", "indicator__name", "promise__text",
                              output_field=TextField()),
                # Reported by its subject's party, else by the promise's.
                party=Coalesce(NullIf("activity__responsible_party", blank()),
                               NullIf("indicator__reporting_party", blank()),
                               "promise__party"),
                status=F("status"), year=F("year"), tertial=F("tertial"),
            )
        return values

    def published(self, kind):
        """The published rows of `kind`."""
        if kind == "period":
            return self.model("promises", "PromisePeriod").objects.filter(status="published")
        if kind == "followup":
            return self.public_followups()
        model = {"promise": "Promise", "priority": "Priority", "focus_area": "FocusArea",
                 "indicator": "Indicator", "activity": "Activity"}[kind]
        rows = self.model("promises", model).objects
        if kind == "focus_area":
            return rows.filter(Q(period__status="published") | Q(agreement__status="published"))
        if kind in {"promise", "priority"}:
            return rows.filter(period__status="published")
        return rows.filter(promise__period__status="published")

    def rows(self, kind, where):
        """The values of SearchEntry's columns (and `vector`) for `kind`'s published rows
        that `where` selects."""
        columns = self.columns(kind)
        names = {f"e_{name}": expression for name, expression in columns.items()}
        if has_vector():
            searched = [F("e_label"), F("e_text")]
            if kind in SEARCHED_TOO:
                searched.append(F(f"e_{SEARCHED_TOO[kind]}"))
            names["e_vector"] = SwedishVector(*searched)
        return self.published(kind).filter(where).annotate(**names).values(*names).order_by()


# --- what is written again --------------------------------------------------------------

@dataclass
class Scope:
    """What a change touched: every row in some periods, agreements, promises (the promise,
    its activities, indicators and their follow-ups), or of some municipalities' periods
    and agreements; and single rows ({kind: {pk}})."""

    everything: bool = False
    periods: set = field(default_factory=set)
    agreements: set = field(default_factory=set)
    promises: set = field(default_factory=set)
    municipalities: set = field(default_factory=set)
    rows: dict = field(default_factory=dict)

    def add(self, *, everything=False, periods=(), agreements=(), promises=(),
            municipalities=(), rows=()):
        self.everything |= everything
        self.periods.update(pk for pk in periods if pk is not None)
        self.agreements.update(pk for pk in agreements if pk is not None)
        self.promises.update(pk for pk in promises if pk is not None)
        self.municipalities.update(pk for pk in municipalities if pk is not None)
        for kind, pk in rows:
            if pk is not None:
                self.rows.setdefault(kind, set()).add(pk)
        if self.size() > MOST_NOTED:
            self.everything = True

    def size(self):
        return (len(self.periods) + len(self.agreements) + len(self.promises)
                + len(self.municipalities) + sum(map(len, self.rows.values())))

    def __bool__(self):
        return self.everything or bool(self.size())

    def entries(self):
        """The index rows in scope (Q over SearchEntry)."""
        where = Q(period_id__in=self.periods) | Q(agreement_id__in=self.agreements) \
            | Q(promise_id__in=self.promises)
        for kind, pks in self.rows.items():
            where |= Q(kind=kind, object_id__in=pks)
        return where

    def sources(self, kind):
        """The source rows of `kind` in scope (Q over the kind's model), None for none."""
        paths = {
            "period": ("pk", None, None), "promise": ("period_id", None, "pk"),
            "priority": ("period_id", None, None),
            "focus_area": ("period_id", "agreement_id", None),
            "indicator": ("promise__period_id", None, "promise_id"),
            "activity": ("promise__period_id", None, "promise_id"),
            "followup": ("promise__period_id", None, "promise_id"),
        }[kind]
        where = Q()
        for path, pks in zip(paths, (self.periods, self.agreements, self.promises),
                             strict=True):
            if path and pks:
                where |= Q(**{f"{path}__in": pks})
        if self.rows.get(kind):
            where |= Q(pk__in=self.rows[kind])
        return where or None

    def resolve_places(self, apps):
        """Municipalities stand for their periods and agreements."""
        if not self.municipalities:
            return
        period_model = apps.get_model("promises", "PromisePeriod")
        agreement_model = apps.get_model("promises", "Agreement")
        for model, owner, found in ((period_model, "period", self.periods),
                                    (agreement_model, "agreement", self.agreements)):
            through = model._meta.get_field("municipalities").remote_field.through
            found.update(through.objects.filter(municipality__in=self.municipalities)
                         .values_list(f"{owner}_id", flat=True))
        self.municipalities = set()


def write(scope, apps=installed_apps):
    """Delete the index rows in `scope` and write them again from the source tables, in
    one transaction."""
    entry = apps.get_model("public", "SearchEntry")
    sources = Sources(apps)
    with transaction.atomic():
        scope.resolve_places(apps)
        old = entry.objects.all() if scope.everything else entry.objects.filter(scope.entries())
        old._raw_delete(old.db)  # no per-row signals: the index is no public model
        for kind in RANKS:
            where = Q() if scope.everything else scope.sources(kind)
            if where is not None:
                insert(entry, sources.rows(kind, where))
        if scope.everything and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(entry._meta.db_table)}")


def insert(entry, rows):
    quote = connection.ops.quote_name
    columns = COLUMNS + (("vector",) if has_vector() else ())
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(entry._meta.db_table)} ({', '.join(map(quote, columns))}) "
            f"SELECT {', '.join(quote(f'e_{name}') for name in columns)} FROM ({sql}) AS source",
            params,
        )


def rebuild(apps=installed_apps):
    """Write the whole index again."""
    write(Scope(everything=True), apps)


# --- noting changes until the commit ----------------------------------------------------

# Each transaction's changes, written when it commits (public/commit_batches.py).
pending = Notes(Scope, write)


def note(**scope):
    """Write the rows in `scope` again once the transaction commits."""
    pending.note(**scope)


def catch_up():
    """Write what this thread noted and has not yet committed: its own search must find
    what it changed. Other threads see it at the commit, as they see the change."""
    batch = pending.waiting()
    if batch is not None:
        batch.write()


# --- signals ------------------------------------------------------------------------------

def changes_publicly(instance):
    """A period, agreement or report that is public, or is being made or unmade so."""
    return instance.status == "published" or getattr(instance, "_publishing", False)


def on_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: the rows it loads arrive without their relations in place
        note(everything=True)
        return
    name = sender._meta.model_name
    if name == "promiseperiod":
        if changes_publicly(instance):
            note(periods=[instance.pk])
    elif name == "agreement":
        if changes_publicly(instance):
            note(agreements=[instance.pk])
    elif name == "tertialreport":
        if changes_publicly(instance):
            note(periods=[instance.period_id])
    elif name == "periodmunicipality":
        note(periods=[instance.period_id])
    elif name == "municipality":
        note(municipalities=[instance.pk])
    elif name == "promise":
        note(promises=[instance.pk], rows=[("promise", instance.pk)])
    elif name in {"activity", "indicator"}:
        # Their follow-ups show their text and party.
        note(promises=[instance.promise_id], rows=[(name, instance.pk)])
    elif name == "followup":
        subject = ("activity", instance.activity_id) if instance.activity_id else (
            ("indicator", instance.indicator_id) if instance.indicator_id
            else ("promise", instance.promise_id))
        note(rows=[("followup", instance.pk), subject])
    elif name == "priority":
        note(rows=[("priority", instance.pk)])
    elif name == "focusarea":
        note(rows=[("focus_area", instance.pk)])


def on_deleted(sender, instance, **kwargs):
    name = sender._meta.model_name
    if name in {"promiseperiod", "agreement"}:
        note(**{f"{name.removeprefix('promise')}s": [instance.pk]})
    else:
        on_saved(sender, instance)


def members_changed(owner):
    """A receiver for the municipalities of a period or an agreement (`owner`), changed
    from either side."""

    def on_members_changed(sender, instance, action, reverse, pk_set, **kwargs):
        if not reverse:
            if action in {"post_add", "post_remove", "post_clear"}:
                note(**{f"{owner}s": [instance.pk]})
        elif action in {"post_add", "post_remove"}:
            note(**{f"{owner}s": pk_set})
        elif action == "pre_clear":  # read before the links go
            note(**{f"{owner}s": sender.objects.filter(municipality=instance)
                    .values_list(f"{owner}_id", flat=True)})

    return on_members_changed


def on_publication(sender, instance, **kwargs):
    """Published or withdrawn: written in the same transaction, before it commits."""
    if sender._meta.model_name == "agreement":
        note(agreements=[instance.pk])
    else:
        note(periods=[getattr(instance, "period_id", instance.pk)])
    catch_up()


def on_bulk_change(sender, **kwargs):
    note(everything=True)


def connect():
    """Called once from PublicConfig.ready()."""
    from followup.models import FollowUp, TertialReport
    from municipalities.models import Municipality
    from promises.models import (
        Activity, Agreement, FocusArea, Indicator, PeriodMunicipality, Priority, Promise,
        PromisePeriod,
    )

    for model in (PromisePeriod, Agreement, TertialReport, PeriodMunicipality, Municipality,
                  Promise, Activity, Indicator, FollowUp, Priority, FocusArea):
        uid = f"search-index-{model._meta.label_lower}"
        post_save.connect(on_saved, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(on_deleted, sender=model, dispatch_uid=f"{uid}-delete")
    for owner, model in (("period", PromisePeriod), ("agreement", Agreement)):
        m2m_changed.connect(members_changed(owner), sender=model.municipalities.through,
                            weak=False, dispatch_uid=f"search-index-{owner}-municipalities")
    published.connect(on_publication, dispatch_uid="search-index-published")
    unpublished.connect(on_publication, dispatch_uid="search-index-unpublished")
    bulk_change.connect(on_bulk_change, dispatch_uid="search-index-bulk")
