"""Each published period's page, rendered ahead of its visitors (`PeriodPage`): a citizen's
request reads one row instead of the period's promises, activities, indicators and
follow-ups, which on a large period cost about fifty milliseconds to read and render.

How a stored page stays what the period's page would show:

- Every save or delete of a row the page shows notes its period (the signals below, as for
  the search index and the roll-up). When the transaction commits, the pages of those
  periods are marked out of date (`wanted` raised). The same commit queues the worker's
  build of the national files (public/national_files.py), which renders them first. A
  transaction rolled back notes nothing.
- A render reads `wanted` first and stores its page only where `wanted` has not moved
  since, so a render that read the rows before a later change is never shown.
- The page is shown only of a period that is published at that moment (the same query),
  only until the first day its tertials' states can change (a tertial ends, a report
  becomes late: `fresh_until`), and only if it was rendered by this very code
  (`code_fingerprint`: the templates, translations and Python that make the page).
- Otherwise, and for editors (who may preview), the page is rendered as it is asked for.

`manage.py render_pages` renders every published period's pages: after a deploy,
and nightly from cron so that the pages whose date has passed are ready before visitors.
"""

import datetime
import functools
import hashlib
import logging
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.template.loader import render_to_string
from django.utils import timezone, translation

from followup.models import FollowUp, TertialReport, YearEndComment
from followup.progress import period_tertials
from municipalities.models import County, Municipality, PoliceArea, PoliceRegion
from promises.models import (
    Activity, Agreement, Document, FocusArea, Indicator, PeriodMunicipality, Priority,
    Promise, PromisePeriod, Signatory,
)
from promises.signals import bulk_change, published, unpublished
from public.commit_batches import Notes
from public.national_files import Migrating
from public.models import PeriodPage

logger = logging.getLogger(__name__)


@functools.cache
def code_fingerprint():
    """SHA-256 of every file that makes a page: the apps' Python, the templates and the
    compiled translations. Computed once a process; the same on every server running the
    same release, different after any change to them."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in ("config", "municipalities", "promises", "followup", "public",
                   "templates", "locale"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".mo"} and "migrations" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def languages():
    return [code for code, _name in settings.LANGUAGES]


# --- reading ------------------------------------------------------------------------------

def stored(period_id, language, today):
    """{"title", "content"} of the period's stored page in `language`, if it may be shown
    today; else None. One query, written out (`STORED`): it is run on every visit, and
    the ORM took several times longer to compile it than the database to answer it."""
    # A key from the address past the database's integers finds nothing (as Django's own
    # lookups on a primary key do), instead of failing in the database driver.
    low, high = connection.ops.integer_field_range(PromisePeriod._meta.pk.get_internal_type())
    if not low <= period_id <= high:
        return None
    with connection.cursor() as cursor:
        cursor.execute(STORED, [
            period_id, language, code_fingerprint(), PromisePeriod.Status.PUBLISHED,
            connection.ops.adapt_datefield_value(today),
        ])
        row = cursor.fetchone()
    return {"title": row[0], "content": row[1]} if row else None


# The query `current()` and a published period make, for one page.
STORED = f"""
    SELECT page.title, page.content
    FROM {PeriodPage._meta.db_table} page
    JOIN {PromisePeriod._meta.db_table} period ON period.id = page.period_id
    WHERE page.period_id = %s AND page.language = %s
      AND page.built_for = page.wanted AND page.code = %s AND period.status = %s
      AND (page.fresh_until IS NULL OR page.fresh_until > %s)
"""


# --- rendering ----------------------------------------------------------------------------

def fresh_until(period, today):
    """The first day after `today` on which a tertial's state on the page can change: the
    day after a tertial ends (a report becomes due; a target's span is over), or the day
    its report becomes late. None when no such day is left."""
    late_after = datetime.timedelta(weeks=settings.REPORT_LATE_WEEKS)
    day = datetime.timedelta(days=1)
    changes = [
        change
        for tertial in period_tertials(period)
        for change in (tertial.end + day, tertial.end + late_after + day)
        if change > today
    ]
    return min(changes, default=None)


def render_page(period_id, language, today):
    """(title, content, fresh until) of the period's page as citizens see it, or None when
    the period is not published."""
    from public import selectors
    from public.view_models import period_page

    with translation.override(language):
        period = selectors.load_period(PromisePeriod.objects.published(), period_id)
        if period is None:
            return None
        context = period_page(period, preview=False, can_preview=False, today=today)
        return (
            render_to_string("public/_period_title.html", context).strip(),
            render_to_string("public/_period_content.html", context),
            fresh_until(period, today),
        )


def current(today, code):
    """The pages that may be shown today (`stored` adds that the period is published)."""
    return (Q(built_for=F("wanted")) & Q(code=code)
            & (Q(fresh_until__isnull=True) | Q(fresh_until__gt=today)))


def add_missing(period_ids=None):
    """A row, to be rendered, for each language of each published period in `period_ids`
    (None: all) that has none yet."""
    periods = PromisePeriod.objects.published()
    if period_ids is not None:
        periods = periods.filter(pk__in=period_ids)
    have = set(PeriodPage.objects.filter(period__in=periods).values_list("period_id", "language"))
    PeriodPage.objects.bulk_create(
        [PeriodPage(period_id=period_id, language=language)
         for period_id in periods.values_list("pk", flat=True)
         for language in languages() if (period_id, language) not in have],
        ignore_conflicts=True, batch_size=1000,
    )


def render():
    """Render every stored page that may not be shown today (marked out of date, rendered
    by other code, or past its date), and drop the pages of periods no longer published.
    Returns how many pages it stored. The worker runs it after each change of public data
    (public.tasks.build_national_files); `render_pages` runs it from the shell."""
    today = timezone.localdate()
    code = code_fingerprint()
    PeriodPage.objects.exclude(period__status=PromisePeriod.Status.PUBLISHED).delete()
    # `wanted` is read before the rows: a change committed from here on raises it past
    # this render, whose page is then not stored (or, stored just before the raise, not
    # shown); the commit of that change queues the render that follows it.
    waiting = list(
        PeriodPage.objects.exclude(current(today, code)).order_by("period_id", "language")
        .values_list("period_id", "language", "wanted")
    )
    made = 0
    for period_id, language, version in waiting:
        page = render_page(period_id, language, today)
        if page is None:  # withdrawn meanwhile
            PeriodPage.objects.filter(period_id=period_id).delete()
            continue
        title, content, fresh = page
        made += PeriodPage.objects.filter(
            period_id=period_id, language=language, wanted=version,
        ).update(
            title=title, content=content, built_for=version, code=code, fresh_until=fresh,
            rendered_at=timezone.now(),
        )
    return made


# --- noting changes until the commit ------------------------------------------------------

class Scope:
    """What a transaction changed, by the rows that lead to periods."""

    KINDS = ("periods", "promises", "municipalities", "police_areas", "agreements")

    def __init__(self):
        self.everything = False
        for kind in self.KINDS:
            setattr(self, kind, set())

    def __bool__(self):
        return self.everything or any(getattr(self, kind) for kind in self.KINDS)

    def add(self, everything=False, **ids):
        self.everything |= everything
        for kind, values in ids.items():
            getattr(self, kind).update(value for value in values if value is not None)

    def period_ids(self):
        """The periods this scope touches (None: every period)."""
        if self.everything:
            return None
        ids = set(self.periods)
        ids.update(Promise.objects.filter(pk__in=self.promises).values_list("period_id", flat=True))
        ids.update(
            PeriodMunicipality.objects.filter(municipality__in=self.municipalities)
            .values_list("period_id", flat=True)
        )
        ids.update(
            PromisePeriod.objects.filter(
                Q(police_area__in=self.police_areas) | Q(agreement__in=self.agreements)
            ).values_list("pk", flat=True)
        )
        return ids


def mark_scope(scope):
    """After the commit: the pages the scope reaches are out of date. The roll-up, which the
    site pages are rendered from, is brought up to date first (a render that starts after
    the mark must read the new figures, whatever order the commit's callbacks run in); and
    the page cache is retired once more after the mark, for a page cached between the
    commit's own retirement and the mark from a stored page that was still current."""
    from public import rollup, site_pages
    from public.cache import bump_public_generation

    rollup.flush()
    period_ids = scope.period_ids()
    mark(period_ids)
    site_pages.mark(period_ids, site_pages.municipalities_of(scope))
    bump_public_generation()


# Each transaction's changes, marked when it commits (public/commit_batches.py).
pending = Notes(Scope, mark_scope)


def note(**scope):
    if Migrating.active:  # `migrate` itself: the pages' code check covers what it changes
        return
    pending.note(**scope)


def mark(period_ids):
    """After a commit: the pages of `period_ids` (None: all) are out of date, and each
    published one has a row to be rendered. The worker renders them with the national files,
    which the same commit queues (public/national_files.py)."""
    pages = PeriodPage.objects.all() if period_ids is None else PeriodPage.objects.filter(
        period_id__in=period_ids)
    pages.update(wanted=F("wanted") + 1)
    add_missing(period_ids)


# --- signals ------------------------------------------------------------------------------

# {model: the scope a saved or deleted row of it notes}
NOTED = {
    PromisePeriod: lambda row: {"periods": [row.pk]},
    PeriodMunicipality: lambda row: {"periods": [row.period_id],
                                     "municipalities": [row.municipality_id]},
    Priority: lambda row: {"periods": [row.period_id]},
    FocusArea: lambda row: {"periods": [row.period_id], "agreements": [row.agreement_id]},
    Signatory: lambda row: {"periods": [row.period_id], "agreements": [row.agreement_id]},
    Document: lambda row: {"periods": [row.period_id], "agreements": [row.agreement_id]},
    TertialReport: lambda row: {"periods": [row.period_id]},
    Promise: lambda row: {"periods": [row.period_id]},
    Activity: lambda row: {"promises": [row.promise_id]},
    Indicator: lambda row: {"promises": [row.promise_id]},
    FollowUp: lambda row: {"promises": [row.promise_id]},
    YearEndComment: lambda row: {"promises": [row.promise_id]},
    Agreement: lambda row: {"agreements": [row.pk]},
    Municipality: lambda row: {"municipalities": [row.pk]},
    PoliceArea: lambda row: {"police_areas": [row.pk]},
    # Shown on the overview and the municipality pages; which ones is not worth working out.
    County: lambda row: {"everything": True},
    PoliceRegion: lambda row: {"everything": True},
}


# The many-to-many relations whose links pages show: {through model: (the accessor of the
# links from the forward side, from the reverse side)}, and the scope the rows on the other
# side note (a focus area's promises are noted from the promise's side).
M2M_SIDES = {
    PromisePeriod.municipalities.through: ("municipalities", "periods"),
    Promise.focus_areas.through: ("focus_areas", "promises"),
    PoliceArea.municipalities.through: ("municipalities", "police_areas"),
    Agreement.municipalities.through: ("municipalities", "agreements"),
}
KIND_OF = {
    Municipality: "municipalities", PromisePeriod: "periods", Promise: "promises",
    PoliceArea: "police_areas", Agreement: "agreements",
}


def on_save_or_delete(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: relations may not be in place yet
        note(everything=True)
    else:
        note(**NOTED[sender](instance))


def on_police_area_deleted(sender, instance, **kwargs):
    """A police area about to be deleted: the municipalities it served, read before their
    links go with it."""
    note(municipalities=instance.municipalities.values_list("pk", flat=True))


def on_m2m_changed(sender, instance, action, reverse, pk_set, model, **kwargs):
    """A period's municipalities, a promise's focus areas, a police area's or a
    collaboration agreement's municipalities, changed from either side."""
    if not action.startswith("post_") and action != "pre_clear":
        return
    if action == "pre_clear":  # read before the links go, from either side
        ids = set(getattr(instance, M2M_SIDES[sender][reverse]).values_list("pk", flat=True))
    else:
        ids = set(pk_set or ())
    # The row whose links changed, and the rows on the other side.
    note(**NOTED[type(instance)](instance))
    if model in KIND_OF:
        note(**{KIND_OF[model]: ids})


def on_publication(sender, instance, signal, **kwargs):
    if sender not in NOTED:
        return
    note(**NOTED[sender](instance))
    if signal is unpublished and not Migrating.active:
        # Withdrawn: the pages that list it are out of date in the same transaction, as the
        # roll-up is, not just after its commit (a period's own page checks its status).
        from public import site_pages

        scope = Scope()
        scope.add(**NOTED[sender](instance))
        site_pages.mark(scope.period_ids(), site_pages.municipalities_of(scope))


def on_bulk_change(sender, periods=None, **kwargs):
    """Bulk writes send no row signals: they name their periods, or every page is marked."""
    if periods is None:
        note(everything=True)
    else:
        note(periods=periods)


def connect():
    """Called once from PublicConfig.ready()."""
    for model in NOTED:
        post_save.connect(on_save_or_delete, sender=model, dispatch_uid=f"period-page-{model}")
        post_delete.connect(on_save_or_delete, sender=model,
                            dispatch_uid=f"period-page-delete-{model}")
    for through in M2M_SIDES:
        m2m_changed.connect(on_m2m_changed, sender=through,
                            dispatch_uid=f"period-page-m2m-{through}")
    pre_delete.connect(on_police_area_deleted, sender=PoliceArea,
                       dispatch_uid="period-page-police-area-deleted")
    published.connect(on_publication, dispatch_uid="period-page-published")
    unpublished.connect(on_publication, dispatch_uid="period-page-unpublished")
    bulk_change.connect(on_bulk_change, dispatch_uid="period-page-bulk")
