"""Entering a tertial's follow-up: one screen (or one uploaded spreadsheet) saved in one
transaction, every row or none. A row saved by someone else since it was loaded is
refused (no lost updates); a change after the tertial's report was published is public at
once, marked as a correction with what changed.

Publishing reports goes through promises/publishing.py like every publishable thing.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from followup.content_changes import mark_report
from followup.models import FollowUp, Status, TertialReport
from municipalities.versioning import (
    DeletedMeanwhile, NewerVersion, describe_version, shorten, write_versioned,
)
from promises.signals import bulk_change

# What citizens see of a follow-up: a change to these after publication is a correction.
PUBLIC_FIELDS = ("status", "account", "value")


@dataclass
class FollowUpInput:
    kind: str  # "promise", "activity" or "indicator"
    subject_id: int
    status: str
    account: str
    value: Decimal | None
    internal_note: str
    loaded_version: int | None  # None: the screen showed no saved follow-up

    @property
    def key(self):
        return (self.kind, self.subject_id)

    @property
    def is_empty(self):
        return not (self.status or self.account.strip() or self.internal_note.strip()
                    or self.value is not None)


class TertialSaveRefused(Exception):
    """Some rows were saved by someone else meanwhile; nothing was saved."""

    def __init__(self, conflicts):
        super().__init__(conflicts)
        self.conflicts = conflicts  # {(kind, subject id): NewerVersion or DeletedMeanwhile}


def subject_lookup(kind, subject_id):
    if kind == "promise":
        return {"promise_id": subject_id, "activity": None, "indicator": None}
    return {f"{kind}_id": subject_id}


def describe_correction(followup, changes):
    labels = {name: str(FollowUp._meta.get_field(name).verbose_name) for name in PUBLIC_FIELDS}
    parts = []
    for name, (old, new) in changes.items():
        if name == "status":
            old, new = (dict(Status.choices).get(v, _("not reported")) for v in (old, new))
        parts.append(f"{labels[name]}: “{old if old not in (None, '') else '–'}” → "
                     f"“{new if new not in (None, '') else '–'}”")
    return "; ".join(parts)


def is_public_now(period, tertial):
    return period.is_published and TertialReport.objects.filter(
        period=period, year=tertial.year, tertial=tertial.number, status="published"
    ).exists()


def save_tertial_followups(*, period, tertial, rows, subjects, by):
    """Save the changed rows of one tertial, all or nothing.

    `subjects` maps each row key to its Promise, Activity or Indicator (from the screen).
    Raises PermissionDenied for a row `by` may not enter, TertialSaveRefused when a row
    changed since it was loaded. Returns the number of rows written.

    Each changed row costs one statement, its versioned update (`write_versioned`: the
    claim on the version it was loaded as and the write together); the new rows are
    inserted together, and the history rows of all of them too, so a save costs a few
    queries plus one for each changed row.
    """
    rows = list(rows)
    for row in rows:
        subject = subjects.get(row.key)
        if subject is None or not by.has_perm("followup.change_followup", subject):
            raise PermissionDenied(_("You may not change some of these rows."))
    published = is_public_now(period, tertial)
    conflicts, changed, created = {}, [], []
    with transaction.atomic():
        existing = {
            # Locked in primary-key order, only the follow-ups (OF self: the model's
            # ordering and the subjects each save reads are joined, nullable, and PostgreSQL
            # refuses FOR UPDATE on the nullable side of an outer join).
            followup_key(f): f for f in FollowUp.objects.select_for_update(of=("self",))
            .select_related("activity", "indicator").filter(
                promise__period=period, year=tertial.year, tertial=tertial.number,
            ).order_by("pk")
        }
        for row in rows:
            followup = existing.get(row.key)
            if followup is None and row.loaded_version is not None:
                conflicts[row.key] = DeletedMeanwhile()
                continue
            if followup is not None and followup.version != row.loaded_version:
                conflicts[row.key] = their_version(followup, row.loaded_version)
                continue
            if followup is None:
                if row.is_empty:
                    continue
                followup = new_followup(row, subjects[row.key], tertial)
            changes = {
                name: (getattr(followup, name), getattr(row, name))
                for name in PUBLIC_FIELDS if getattr(followup, name) != getattr(row, name)
            }
            followup.status, followup.account = row.status, row.account
            followup.value, followup.internal_note = row.value, row.internal_note
            followup.updated_by = by
            followup._history_user = by
            if published and changes:
                followup.corrected_at = timezone.now()
                followup.correction = describe_correction(followup, changes)
            (changed if followup.pk else created).append((row, followup))
        if not conflicts:
            conflicts = write(changed, created, period, tertial)
        if conflicts:
            # Leaving the block by an exception rolls every row back.
            raise TertialSaveRefused(conflicts)
        if changed or created:
            FollowUp.history.bulk_history_create([f for _, f in created])
            FollowUp.history.bulk_history_create([f for _, f in changed], update=True)
            # Bulk writes send no signals: the report is marked once, and the public
            # pages are retired (promises.signals).
            mark_report(TertialReport.objects.filter(
                period=period, year=tertial.year, tertial=tertial.number,
            ))
            bulk_change.send(sender=FollowUp, periods=[period.pk])
    return len(changed) + len(created)


# What the screen writes of a follow-up it changes (besides its version and time).
WRITTEN_FIELDS = ("status", "account", "value", "internal_note", "updated_by", "corrected_at",
                  "correction")


def write(changed, created, period, tertial):
    """Write the rows; {row key: conflict} for the ones someone else saved meanwhile."""
    conflicts = {}
    for row, followup in changed:
        loaded = followup.version
        if not write_versioned(followup, WRITTEN_FIELDS):
            conflicts[row.key] = their_version(followup, loaded)
    if created:
        try:
            with transaction.atomic():
                FollowUp.objects.bulk_create([followup for _, followup in created])
        except IntegrityError:
            # Someone created some of them at the same moment (rows nobody had entered
            # have no row to lock); theirs are shown.
            current = {followup_key(f): f for f in FollowUp.objects.filter(
                promise__period=period, year=tertial.year, tertial=tertial.number,
            )}
            conflicts.update({
                row.key: their_version(current[row.key], None)
                for row, _ in created if row.key in current
            })
            if not conflicts:
                raise
    return conflicts


def their_version(followup, loaded_version):
    """The version someone else saved. When the screen showed no row (both entered it at
    once) there is nothing to compare with, so all they entered is shown."""
    newer = describe_version(FollowUp, followup.pk, loaded_version)
    if loaded_version is None and isinstance(newer, NewerVersion):
        newer.changes = [
            (str(FollowUp._meta.get_field(name).verbose_name),
             shorten(followup.get_status_display() if name == "status" else value))
            for name in (*PUBLIC_FIELDS, "internal_note")
            if (value := getattr(followup, name)) not in (None, "")
        ]
    return newer


def new_followup(row, subject, tertial):
    promise_id = subject.pk if row.kind == "promise" else subject.promise_id
    subject_ids = {} if row.kind == "promise" else {f"{row.kind}_id": subject.pk}
    return FollowUp(promise_id=promise_id, **subject_ids, year=tertial.year,
                    tertial=tertial.number, account="", internal_note="")


def followup_key(followup):
    if followup.activity_id:
        return ("activity", followup.activity_id)
    if followup.indicator_id:
        return ("indicator", followup.indicator_id)
    return ("promise", followup.promise_id)


def tertial_report_for(period, tertial):
    """The period's report for the tertial, created as a draft when missing."""
    report, _created = TertialReport.objects.get_or_create(
        period=period, year=tertial.year, tertial=tertial.number,
    )
    return report
