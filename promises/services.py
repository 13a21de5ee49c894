"""Publishing a promise period: draft → published → unpublished (with a reason).

Each change is saved through the model (so it enters the period's history, attributed to
`by`), raises the period's version, and is written to the audit log.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from municipalities.audit import record_event
from municipalities.models import AuditEvent
from promises.models import PromisePeriod
from promises.signals import published, unpublished


def _locked(period):
    return PromisePeriod.objects.select_for_update().get(pk=period.pk)


def _save(period, *, by, fields):
    period.version += 1
    period._history_user = by
    period.save(update_fields=[*fields, "version", "updated_at"])


def publish_period(period, *, by, request=None):
    """Make the period public now. Publishing a published period is refused."""
    with transaction.atomic():
        locked = _locked(period)
        if locked.status == PromisePeriod.Status.PUBLISHED:
            raise ValidationError(_("“%(period)s” is already published.") % {"period": locked})
        locked.status = PromisePeriod.Status.PUBLISHED
        locked.published_at = timezone.now()
        locked.unpublished_reason = ""
        _save(locked, by=by, fields=["status", "published_at", "unpublished_reason"])
        record_event(
            action=AuditEvent.Action.PUBLISHED, user=by, obj=locked, request=request,
            model="promises.PromisePeriod", pk=locked.pk,
        )
        published.send(sender=PromisePeriod, instance=locked, by=by)
    return locked


def unpublish_period(period, *, by, reason, request=None):
    """Take the period off the public site; `reason` is required and kept on the period."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why the period is unpublished."), code="reason_required")
    with transaction.atomic():
        locked = _locked(period)
        if not locked.is_published:
            raise ValidationError(_("“%(period)s” is not published.") % {"period": locked})
        locked.status = PromisePeriod.Status.DRAFT
        locked.published_at = None
        locked.unpublished_reason = reason
        _save(locked, by=by, fields=["status", "published_at", "unpublished_reason"])
        record_event(
            action=AuditEvent.Action.UNPUBLISHED, user=by, obj=locked, request=request,
            model="promises.PromisePeriod", pk=locked.pk, reason=reason,
        )
        unpublished.send(sender=PromisePeriod, instance=locked, by=by)
    return locked
