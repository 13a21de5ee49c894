"""The roll-up behind the home page, the municipality pages and the national overview
(`PeriodRollup`, one row per published period and municipality): which rows a change
touches, and how they are rebuilt.

Every save or delete of a row the roll-up reads (periods and their municipalities,
promises, promise-level follow-ups, tertial reports, police areas, municipalities) notes
the periods it touches. Publishing and unpublishing rebuild their period's rows inside
their own transaction, so a withdrawn period leaves the pages in the same commit as its
status; any other change (a correction, a new promise, a renamed police area) is rebuilt
right after its commit, and before this thread reads the roll-up while its transaction is
still open (a command, a test). Bulk writes, which send no signals, send
`promises.signals.bulk_change`: the whole roll-up is rebuilt after their commit, as it is
by `manage.py rebuild_rollup` and after every `migrate` that leaves the database fully
migrated.

A rebuild costs the same few queries for one period or five hundred.
"""

import logging
import threading
from collections import Counter
from types import SimpleNamespace

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils import timezone

from followup.models import FollowUp, TertialReport
from followup.progress import NOT_REPORTED, latest_summaries
from municipalities.models import Municipality, PoliceArea
from promises.models import PeriodMunicipality, Promise, PromisePeriod
from promises.signals import bulk_change, published, unpublished
from public.cache import note_change
from public.models import PeriodRollup

logger = logging.getLogger(__name__)

# Periods rebuilt per round of queries (each round: the same seven queries).
CHUNK = 500
# Beyond this many noted rows a transaction (a restore, a loader) rebuilds everything.
MOST_NOTED = 5000


class Pending(threading.local):
    """This thread's changes that the roll-up has not caught up with."""

    def __init__(self):
        self.clear()

    def clear(self):
        self.periods = set()
        self.promises = set()
        self.police_areas = set()
        self.municipalities = set()
        self.everything = False

    def __bool__(self):
        return bool(
            self.everything or self.periods or self.promises or self.police_areas
            or self.municipalities
        )

    def size(self):
        return (len(self.periods) + len(self.promises) + len(self.police_areas)
                + len(self.municipalities))


pending = Pending()


def note(kind, ids):
    getattr(pending, kind).update(ids)
    # After the commit (at once outside a transaction); robust: a roll-up that failed is
    # logged, not turned into an error for a save that is already committed.
    transaction.on_commit(flush, robust=True)


def on_save_or_delete(sender, instance, signal, **kwargs):
    if sender is PromisePeriod:
        note("periods", [instance.pk])
    elif sender is Promise:
        note("periods", [instance.period_id])
    elif sender is FollowUp:
        if instance.activity_id is None and instance.indicator_id is None:
            note("promises", [instance.promise_id])
    elif sender is TertialReport:
        note("periods", [instance.period_id])
    elif sender is PeriodMunicipality:
        note("periods", [instance.period_id])
    elif sender is Municipality:
        note("municipalities", [instance.pk])
    elif sender is PoliceArea:
        if signal is post_delete:
            # Merging areas moves their periods with a bulk update first (no signals).
            pending.everything = True
        note("police_areas", [instance.pk])


def on_municipalities_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        note("periods", [instance.pk])
    elif pk_set:
        note("periods", pk_set)
    else:  # a municipality's periods cleared from its side
        note("municipalities", [instance.pk])


def on_publication(sender, instance, **kwargs):
    """Published or unpublished: the period's rows change in the same transaction."""
    if sender is PromisePeriod:
        note("periods", [instance.pk])
    elif sender is TertialReport:
        note("periods", [instance.period_id])
    else:
        return
    flush()


def on_bulk_change(sender, **kwargs):
    pending.everything = True
    transaction.on_commit(flush, robust=True)


def catch_up():
    """Before reading the roll-up: whatever this thread changed and has not committed yet
    (only it can see that) is rolled up first. Outside a transaction nothing is pending
    but what was rolled back (a commit rolls up at once), so it is forgotten: a page read
    writes nothing."""
    if not pending:
        return
    if transaction.get_connection().in_atomic_block:
        flush()
    else:
        pending.clear()


def flush():
    """Roll up the noted changes now."""
    if not pending:
        return
    if pending.everything or pending.size() > MOST_NOTED:
        pending.clear()
        rebuild()
        return
    noted = (set(pending.periods), set(pending.promises), set(pending.police_areas),
             set(pending.municipalities))
    pending.clear()
    periods, promises, police_areas, municipalities = noted
    touched = (
        Q(pk__in=periods)
        | Q(pk__in=Promise.objects.filter(pk__in=promises).values("period_id"))
        | Q(police_area__in=police_areas)
        | Q(pk__in=PeriodMunicipality.objects.filter(municipality__in=municipalities)
            .values("period_id"))
    )
    with transaction.atomic():
        refresh(PromisePeriod.objects.filter(touched))
        note_change()


def rebuild():
    """Every row again, from what is published now."""
    with transaction.atomic():
        PeriodRollup.objects.all()._raw_delete(PeriodRollup.objects.db)
        ids = list(PromisePeriod.objects.published().order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), CHUNK):
            refresh(PromisePeriod.objects.filter(pk__in=ids[start:start + CHUNK]), fresh=True)
        note_change()
    connection = connections[PeriodRollup.objects.db]
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses from an empty table (docs/scaling.md).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(PeriodRollup._meta.db_table)}")
    return len(ids)


def refresh(periods, *, fresh=False):
    """Replace the rows of `periods` (a queryset) with what is published of them now.

    The periods are locked first, in order, so two refreshes of one period (two commits
    close together) run one after the other and the later one reads both changes."""
    rows = list(
        periods.select_for_update(of=("self",)).order_by("pk").values(
            "pk", "status", "title", "valid_from", "valid_to", "published_at",
            "police_area__name",
        )
    )
    if not fresh:
        PeriodRollup.objects.filter(period__in=[row["pk"] for row in rows])._raw_delete(
            PeriodRollup.objects.db
        )
    shown = {row["pk"]: row for row in rows if row["status"] == PromisePeriod.Status.PUBLISHED}
    if not shown:
        return
    parties = {}
    for period_id, municipality_id, name, slug in (
        PeriodMunicipality.objects.filter(period__in=list(shown))
        .order_by("municipality__name", "municipality_id")
        .values_list("period_id", "municipality_id", "municipality__name", "municipality__slug")
    ):
        parties.setdefault(period_id, []).append((municipality_id, name, slug))
    reports = {}
    for period_id, year, number, published_at in (
        TertialReport.objects.public().filter(period__in=list(shown))
        .order_by("year", "tertial").values_list("period_id", "year", "tertial", "published_at")
    ):
        reports[period_id] = SimpleNamespace(year=year, tertial=number, published_at=published_at)
    summaries = latest_summaries(PromisePeriod.objects.filter(pk__in=list(shown)), reports)
    PeriodRollup.objects.bulk_create([
        row_of(shown[period_id], municipalities, index, summaries.get(period_id),
               reports.get(period_id))
        for period_id, municipalities in parties.items()
        for index in range(len(municipalities))
    ], batch_size=CHUNK)


def row_of(period, municipalities, index, summary, report):
    municipality_id, name, slug = municipalities[index]
    tertial = summary.tertial if summary else None
    return PeriodRollup(
        period_id=period["pk"],
        municipality_id=municipality_id,
        first_of_period=index == 0,
        municipality_name=name,
        municipality_slug=slug,
        title=period["title"],
        valid_from=period["valid_from"],
        valid_to=period["valid_to"],
        published_at=period["published_at"],
        police_area_name=period["police_area__name"],
        municipality_names=", ".join(other[1] for other in municipalities),
        municipality_count=len(municipalities),
        promise_count=summary.total if summary else 0,
        latest_year=tertial.year if tertial else None,
        latest_tertial=tertial.number if tertial else None,
        reported_on=timezone.localdate(report.published_at) if tertial else None,
        status_counts=dict(Counter(summary.counts)) if tertial else {},
        followed_up=summary.total - summary.counts[NOT_REPORTED] if tertial else None,
        on_track=summary.on_track if tertial else None,
    )


def rebuild_after_migrate(sender, using=DEFAULT_DB_ALIAS, plan=None, **kwargs):
    """After `migrate` has run migrations and left nothing unapplied (a migration may have
    changed what the roll-up reads); never halfway, when the tables may not match the
    models, nor after `flush`, which empties the roll-up with everything else."""
    if not plan:
        return
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    count = rebuild()
    if kwargs.get("verbosity", 1) >= 2:
        logger.info("Rolled up %s published periods.", count)


ROLLED_UP = (PromisePeriod, Promise, FollowUp, TertialReport, PeriodMunicipality,
             Municipality, PoliceArea)


def connect_rollup(app_config):
    """Called once from PublicConfig.ready()."""
    for model in ROLLED_UP:
        post_save.connect(on_save_or_delete, sender=model, dispatch_uid=f"rollup-save-{model}")
        post_delete.connect(on_save_or_delete, sender=model,
                            dispatch_uid=f"rollup-delete-{model}")
    m2m_changed.connect(on_municipalities_changed, sender=PeriodMunicipality,
                        dispatch_uid="rollup-period-municipalities")
    published.connect(on_publication, dispatch_uid="rollup-published")
    unpublished.connect(on_publication, dispatch_uid="rollup-unpublished")
    bulk_change.connect(on_bulk_change, dispatch_uid="rollup-bulk")
    post_migrate.connect(rebuild_after_migrate, sender=app_config,
                         dispatch_uid="rollup-after-migrate")
