"""Entering and publishing a tertial's follow-up.

`save_tertial_followups` saves one tertial screen in one transaction: every row or none.
A row saved by someone else since the screen was loaded is refused (no lost updates).
`publish_tertial_report` makes that tertial's accounts and values public.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from followup.models import FollowUp, Measurement, TertialReport
from municipalities.audit import record_event
from municipalities.models import AuditEvent
from municipalities.permissions import Access, filter_queryset
from promises.models import Activity, Indicator
from promises.signals import published, unpublished
from promises.versioning import describe_version


@dataclass
class FollowUpInput:
    activity_id: int
    status: str
    account: str
    internal_note: str
    loaded_version: int | None  # None: the screen showed no saved follow-up


@dataclass
class MeasurementInput:
    indicator_id: int
    value: Decimal | None  # None: no value (an existing one is removed)
    loaded_version: int | None


@dataclass
class SaveResult:
    followups: int = 0
    measurements: int = 0


class TertialSaveRefused(Exception):
    """Some rows were saved by someone else meanwhile; nothing was saved."""

    def __init__(self, conflicts):
        super().__init__(conflicts)
        # {("activity", id) or ("indicator", id): NewerVersion}
        self.conflicts = conflicts


@dataclass
class _Plan:
    conflicts: dict = field(default_factory=dict)
    result: SaveResult = field(default_factory=SaveResult)


def editable_activities(period, user):
    access = Access(user)
    return filter_queryset(
        Activity.objects.filter(promise__period=period),
        access.followup_q("promise__period__", "promise__party"),
    )


def editable_indicators(period, user):
    access = Access(user)
    return filter_queryset(
        Indicator.objects.filter(promise__period=period),
        access.followup_q("promise__period__", "promise__party"),
    )


def save_tertial_followups(*, period, tertial, followups, measurements, by):
    """Save the changed rows of one tertial screen, all or nothing.

    Raises PermissionDenied for a row `by` may not edit, TertialSaveRefused when a row
    changed since it was loaded. Returns a SaveResult with what was written.
    """
    followups, measurements = list(followups), list(measurements)
    with transaction.atomic():
        allowed_activities = set(
            editable_activities(period, by).values_list("pk", flat=True)
        )
        allowed_indicators = set(
            editable_indicators(period, by).values_list("pk", flat=True)
        )
        if any(row.activity_id not in allowed_activities for row in followups) or any(
            row.indicator_id not in allowed_indicators for row in measurements
        ):
            raise PermissionDenied(_("You may not change some of these rows."))
        plan = _Plan()
        _save_followups(plan, tertial, followups, by)
        _save_measurements(plan, tertial, measurements, by)
        if plan.conflicts:
            # Leaving the block by an exception rolls every row back.
            raise TertialSaveRefused(plan.conflicts)
    return plan.result


def _stamp(obj, by):
    obj.updated_by = by
    obj._history_user = by


def _save_followups(plan, tertial, rows, by):
    existing = {
        followup.activity_id: followup
        for followup in FollowUp.objects.select_for_update().filter(
            activity_id__in=[row.activity_id for row in rows],
            year=tertial.year, tertial=tertial.number,
        )
    }
    for row in rows:
        followup = existing.get(row.activity_id)
        if followup is None and row.loaded_version is None:
            if not row.account.strip() and not row.internal_note.strip() and (
                row.status == FollowUp.Status.NOT_STARTED
            ):
                continue
            followup = FollowUp(
                activity_id=row.activity_id, year=tertial.year, tertial=tertial.number,
                status=row.status, account=row.account, internal_note=row.internal_note,
            )
            _stamp(followup, by)
            try:
                with transaction.atomic():
                    followup.save()
            except IntegrityError:
                # Someone created it at the same moment.
                _conflict(plan, FollowUp, ("activity", row.activity_id), tertial,
                          activity_id=row.activity_id)
                continue
            plan.result.followups += 1
            continue
        if followup is None or followup.version != row.loaded_version:
            _conflict(plan, FollowUp, ("activity", row.activity_id), tertial,
                      activity_id=row.activity_id, loaded=row.loaded_version)
            continue
        followup.status = row.status
        followup.account = row.account
        followup.internal_note = row.internal_note
        followup.version += 1
        _stamp(followup, by)
        followup.save()
        plan.result.followups += 1


def _save_measurements(plan, tertial, rows, by):
    existing = {
        measurement.indicator_id: measurement
        for measurement in Measurement.objects.select_for_update().filter(
            indicator_id__in=[row.indicator_id for row in rows],
            year=tertial.year, tertial=tertial.number,
        )
    }
    for row in rows:
        measurement = existing.get(row.indicator_id)
        if measurement is None and row.loaded_version is None:
            if row.value is None:
                continue
            measurement = Measurement(
                indicator_id=row.indicator_id, year=tertial.year, tertial=tertial.number,
                value=row.value,
            )
            _stamp(measurement, by)
            try:
                with transaction.atomic():
                    measurement.save()
            except IntegrityError:
                _conflict(plan, Measurement, ("indicator", row.indicator_id), tertial,
                          indicator_id=row.indicator_id)
                continue
            plan.result.measurements += 1
            continue
        if measurement is None or measurement.version != row.loaded_version:
            _conflict(plan, Measurement, ("indicator", row.indicator_id), tertial,
                      indicator_id=row.indicator_id, loaded=row.loaded_version)
            continue
        _stamp(measurement, by)
        if row.value is None:
            measurement.delete()
        else:
            measurement.value = row.value
            measurement.version += 1
            measurement.save()
        plan.result.measurements += 1


def _conflict(plan, model, key, tertial, loaded=None, **lookup):
    current = model.objects.filter(year=tertial.year, tertial=tertial.number, **lookup).first()
    if current is None:
        # Deleted by someone else since the screen was loaded.
        plan.conflicts[key] = None
        return
    plan.conflicts[key] = describe_version(model, current.pk, loaded)


def tertial_report_for(period, tertial):
    """The period's report for the tertial, created as a draft when missing."""
    report, _created = TertialReport.objects.get_or_create(
        period=period, year=tertial.year, tertial=tertial.number,
    )
    return report


def publish_tertial_report(report, *, by, request=None):
    """Publish the report: the tertial's accounts and values become public."""
    with transaction.atomic():
        locked = TertialReport.objects.select_for_update().get(pk=report.pk)
        if locked.is_published:
            raise ValidationError(_("“%(report)s” is already published.") % {"report": locked})
        locked.status = TertialReport.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked._history_user = by
        locked.save()
        record_event(
            action=AuditEvent.Action.PUBLISHED, user=by, obj=locked, request=request,
            model="followup.TertialReport", pk=locked.pk,
            year=locked.year, tertial=locked.tertial,
        )
        published.send(sender=TertialReport, instance=locked, by=by)
    return locked


def unpublish_tertial_report(report, *, by, reason, request=None):
    """Withdraw a published report (its tertial's follow-up is no longer public)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the report is unpublished."), code="reason_required")
    with transaction.atomic():
        locked = TertialReport.objects.select_for_update().get(pk=report.pk)
        if not locked.is_published:
            raise ValidationError(_("“%(report)s” is not published.") % {"report": locked})
        locked.status = TertialReport.Status.DRAFT
        locked.published_at = None
        locked._history_user = by
        locked.save()
        record_event(
            action=AuditEvent.Action.UNPUBLISHED, user=by, obj=locked, request=request,
            model="followup.TertialReport", pk=locked.pk, reason=reason,
        )
        unpublished.send(sender=TertialReport, instance=locked, by=by)
    return locked


# Reminders: which follow-up is missing, and who should hear about it.
REMINDER_LEAD_DAYS = 14
# Older gaps are left alone: a reminder about a tertial long gone helps nobody.
REMINDER_OVERDUE_DAYS = 365


@dataclass
class MissingTertial:
    period: object
    tertial: object
    activities: list  # Activity rows with no account for the tertial
    indicators: list  # Indicator rows with no value for the tertial


def missing_followups(today):
    """Missing follow-up in draft and published periods, for every tertial that ends
    within REMINDER_LEAD_DAYS or ended at most REMINDER_OVERDUE_DAYS ago."""
    from datetime import timedelta

    from followup.tertials import tertials_between
    from promises.models import PromisePeriod

    horizon = today + timedelta(days=REMINDER_LEAD_DAYS)
    oldest = today - timedelta(days=REMINDER_OVERDUE_DAYS)
    periods = PromisePeriod.objects.filter(
        status__in=[PromisePeriod.Status.DRAFT, PromisePeriod.Status.PUBLISHED],
        valid_from__lte=horizon, valid_to__gte=oldest,
    ).select_related("municipality", "police_area").order_by("municipality__name", "valid_from")
    result = []
    for period in periods:
        tertials = [
            t for t in tertials_between(period.valid_from, period.valid_to)
            if oldest <= t.end <= horizon
        ]
        if not tertials:
            continue
        activities = list(Activity.objects.filter(promise__period=period)
                          .select_related("promise").order_by("promise__order", "order", "pk"))
        indicators = list(Indicator.objects.filter(promise__period=period)
                          .select_related("promise").order_by("promise__order", "order", "pk"))
        accounted = set(
            FollowUp.objects.filter(activity__in=activities, year__in={t.year for t in tertials})
            .exclude(account="").values_list("activity_id", "year", "tertial")
        )
        measured = set(
            Measurement.objects.filter(indicator__in=indicators,
                                       year__in={t.year for t in tertials})
            .values_list("indicator_id", "year", "tertial")
        )
        for tertial in tertials:
            key = (tertial.year, tertial.number)
            missing = MissingTertial(
                period, tertial,
                [a for a in activities if (a.pk, *key) not in accounted],
                [i for i in indicators if (i.pk, *key) not in measured],
            )
            if missing.activities or missing.indicators:
                result.append(missing)
    return result


def reminders_by_user(today):
    """{user: [MissingTertial]} for every active coordinator with an email address; police
    coordinators hear only of police and joint promises."""
    from municipalities.models import Membership, Role

    missing = missing_followups(today)
    if not missing:
        return {}
    memberships = list(
        Membership.objects.filter(
            role__in=[Role.COORDINATOR, Role.POLICE], user__is_active=True,
        ).exclude(user__email="").select_related("user")
    )
    reminders = {}
    for item in missing:
        period = item.period
        for membership in memberships:
            if not (membership.municipality_id == period.municipality_id
                    or membership.police_area_id == period.police_area_id):
                continue
            if membership.role == Role.POLICE:
                own = MissingTertial(
                    period, item.tertial,
                    [a for a in item.activities if a.promise.party in POLICE_PARTY_VALUES],
                    [i for i in item.indicators if i.promise.party in POLICE_PARTY_VALUES],
                )
            else:
                own = item
            if not (own.activities or own.indicators):
                continue
            entries = reminders.setdefault(membership.user, [])
            # A coordinator who is also police coordinator gets each tertial once, in full.
            for index, entry in enumerate(entries):
                if entry.period == period and entry.tertial == item.tertial:
                    if len(own.activities) + len(own.indicators) > (
                        len(entry.activities) + len(entry.indicators)
                    ):
                        entries[index] = own
                    break
            else:
                entries.append(own)
    return reminders


POLICE_PARTY_VALUES = ("police", "joint")
