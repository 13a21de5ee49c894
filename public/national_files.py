"""The national open-data files (JSON, CSV, Excel), built by the worker whenever public data
changes and kept in storage, so a download is a stored file with its SHA-256 as ETag
(public/national_views.py) rather than the whole country read and written per request.

Every commit that changes public data (public/cache.py, `public_change_committed`) counts
one in NationalFileSchedule.requested and queues a build, unless one is already queued or
running: a burst of saves queues one build, GATHER seconds later. A build notes the count it
starts from; if the count moved while it ran, it queues one more. The files are written to
local temporary files in one pass over the published periods (the same functions the live
exports use, so no draft can get in), copied to storage under names of their own (their
hashes), and only then made current, in one transaction: a download gets the old file or
the new one, never half of one. The files replaced are deleted after the commit.
"""

import datetime
import hashlib
import logging
import os
import tempfile
from contextlib import contextmanager

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from public import exports, spreadsheets
from public.cache import bump_public_generation
from public.models import NationalFile, NationalFileSchedule

logger = logging.getLogger(__name__)

Format = NationalFile.Format
# Format: (file name in Content-Disposition, content type)
FORMATS = {
    Format.JSON: ("medborgarloften.json", "application/json; charset=utf-8"),
    Format.CSV: ("medborgarloften.csv", "text/csv; charset=utf-8"),
    Format.XLSX: ("medborgarloften.xlsx", spreadsheets.XLSX),
}
FOLDER = "open-data"
# Changes made within this long of the first one are built together (a publication is
# often followed by its tertial reports).
GATHER = datetime.timedelta(seconds=10)
# A build queued this long ago that never finished was lost with its worker: the next change
# queues another. Far longer than a national build takes (bench/RESULTS.md).
LOST_AFTER = datetime.timedelta(hours=1)
SCHEDULE = 1  # the schedule's one row


# Scheduling --------------------------------------------------------------------------------

def schedule():
    return NationalFileSchedule.objects.filter(pk=SCHEDULE)


def count_change():
    if schedule().update(requested=F("requested") + 1):
        return
    try:
        with transaction.atomic():
            NationalFileSchedule.objects.create(pk=SCHEDULE, requested=1)
    except IntegrityError:  # another process created it just now
        schedule().update(requested=F("requested") + 1)


def enqueue_build(now):
    from public import tasks

    task = tasks.build_national_files
    if task.get_backend().supports_defer:
        task = task.using(run_after=now + GATHER)
    # A backend that cannot wait (the immediate one) builds at once.
    return task.enqueue()


class Migrating:
    """Whether `migrate` is running: rows its migrations write are not a change to build
    (the schedule's table may not even exist yet)."""

    active = False


def start_migrating(**kwargs):
    Migrating.active = True


def end_migrating(**kwargs):
    Migrating.active = False


def note_committed_change(**kwargs):
    """After a commit that changed public data: count it, and queue a build unless one is
    queued or running already. A failure here must not fail the change, which is
    committed: the next change, or `build_national_exports`, builds the files."""
    if Migrating.active:
        return
    now = timezone.now()
    try:
        with transaction.atomic():
            count_change()
            claimed = schedule().filter(
                Q(queued_at__isnull=True) | Q(queued_at__lt=now - LOST_AFTER)
            ).update(queued_at=now)
            if claimed:
                enqueue_build(now)
    except DatabaseError:
        logger.warning("The national open-data files could not be scheduled", exc_info=True)


def finish(start):
    """After a build from count `start`: done if nothing changed since, otherwise queue one
    more. One UPDATE decides, so a change committed meanwhile either sees the build still
    queued (and is counted in the build queued here) or finds it done and queues its own."""
    if schedule().filter(requested=start).update(queued_at=None) or not schedule().exists():
        return
    now = timezone.now()
    schedule().update(queued_at=now)
    enqueue_build(now)


def requested():
    return schedule().values_list("requested", flat=True).first() or 0


def connect_scheduling():
    """Called once from PublicConfig.ready()."""
    from django.db.models.signals import post_migrate, pre_migrate

    from public.cache import public_change_committed

    public_change_committed.connect(note_committed_change, dispatch_uid="national-files")
    pre_migrate.connect(start_migrating, dispatch_uid="national-files-migrating")
    post_migrate.connect(end_migrating, dispatch_uid="national-files-migrated")


# Building ----------------------------------------------------------------------------------

class Hashed:
    """A text file whose written text also goes into a hash."""

    def __init__(self, handle, digest):
        self.handle, self.digest = handle, digest

    def write(self, text):
        self.digest.update(text.encode())
        return self.handle.write(text)


@contextmanager
def one_snapshot():
    """On PostgreSQL, read in one read-only snapshot: the three files agree with each other,
    and the reads go to the primary (config/db_router.py), never to a replica that may not
    have the change being built yet. SQLite (no replicas) reads without a transaction, which
    there would hold the write lock (transaction_mode IMMEDIATE) for the whole build."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def write_files(folder, built_at):
    """Write the three files into `folder` in one pass over the published periods;
    {format: path} and the hash of the published data they hold."""
    paths = {format: os.path.join(folder, name) for format, (name, _type) in FORMATS.items()}
    url = exports.Urls()
    content = hashlib.sha256()
    with (
        open(paths[Format.JSON], "w", encoding="utf-8", newline="") as json_handle,
        open(paths[Format.CSV], "w", encoding="utf-8", newline="") as csv_handle,
        translation.override("sv"),
        one_snapshot(),
    ):
        json_handle.write(exports.json_head(built_at))  # the build time, not content
        json_file, csv_file = Hashed(json_handle, content), Hashed(csv_handle, content)
        writer = exports.csv_writer()
        csv_file.write(exports.csv_head(writer))

        def sheet_rows():
            separator = ""
            for period_content in exports.national_periods():
                json_file.write(separator + exports.json_period(period_content, url))
                separator = ",\n"
                period, progress, _reports = period_content
                for row in exports.csv_rows(period, progress, url):
                    csv_file.write(exports.csv_line(writer, row))
                    yield spreadsheets.sheet_row(row)

        spreadsheets.write_workbook(
            paths[Format.XLSX], spreadsheets.SHEET_TITLE, spreadsheets.HEADERS, sheet_rows()
        )
        json_file.write(exports.JSON_TAIL)
    return paths, content.hexdigest()


def file_digest(path):
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def store(paths, *, content, built_at, generation):
    """Copy the files to storage and make them current, unless a build of later data has
    finished first. The current rows after it."""
    saved = {}
    for format, path in paths.items():
        sha256 = file_digest(path)
        name = f"{FOLDER}/medborgarloften-{sha256[:20]}.{format}"
        if not default_storage.exists(name):
            with open(path, "rb") as handle:
                name = default_storage.save(name, File(handle))
        saved[format] = (name, sha256, os.path.getsize(path))
    replaced, first = [], False
    with transaction.atomic():
        current = {
            stored.format: stored
            for stored in NationalFile.objects.select_for_update().filter(format__in=saved)
        }
        for format, (name, sha256, size) in saved.items():
            stored = current.get(format) or NationalFile(format=format)
            if stored.pk and stored.generation > generation:
                replaced.append(name)  # a build of later data won
                continue
            if stored.pk and stored.file.name != name:
                replaced.append(stored.file.name)
            first = first or stored.pk is None
            stored.file.name, stored.sha256, stored.size = name, sha256, size
            stored.content, stored.built_at, stored.generation = content, built_at, generation
            stored.save()
            current[format] = stored
        transaction.on_commit(lambda: delete_unused(replaced))
        if first:
            # The page cache may hold the live Excel file made before there was a stored
            # one: retired now for this thread, and after the commit for every process.
            bump_public_generation()
            transaction.on_commit(bump_public_generation)
    return current


def delete_unused(names):
    for name in names:
        if not NationalFile.objects.filter(file=name).exists():
            default_storage.delete(name)


def keep(generation):
    """The data is unchanged since the current files were built: they stay as they are
    (same bytes, ETag and date), now known to hold every change up to `generation`."""
    NationalFile.objects.filter(generation__lt=generation).update(generation=generation)


def build(generation=None):
    """Build the national files from published data and make them current. Returns the
    current NationalFile rows by format and whether they were replaced."""
    if generation is None:
        generation = requested()
    built_at = timezone.now()
    with tempfile.TemporaryDirectory(prefix="national-files-") as folder:
        paths, content = write_files(folder, built_at)
        current = {stored.format: stored for stored in NationalFile.objects.all()}
        if set(current) == set(FORMATS) and all(
            stored.content == content and default_storage.exists(stored.file.name)
            for stored in current.values()
        ):
            keep(generation)
            return current, False
        return store(paths, content=content, built_at=built_at, generation=generation), True


def build_and_finish():
    """Build, then queue one more build if public data changed meanwhile (the worker's
    task and `build_national_exports`, which so also clears a build lost with its worker)."""
    start = requested()
    result = build(start)
    finish(start)
    return result


# Serving -----------------------------------------------------------------------------------

def current_file(request, format):
    """The stored file of `format` or None, read once per request (the ETag, the date and
    the view all ask)."""
    found = request.__dict__.setdefault("_national_files", {})
    if format not in found:
        found[format] = NationalFile.objects.filter(format=format).first()
    return found[format]
