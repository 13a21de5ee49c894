"""Nothing published disappears unannounced: a published period, agreement or tertial
report is unpublished (with a reason) before it can be deleted, and so is the period before
anything in it is removed. Every deletion a person starts is audited.

These are signal receivers, so they hold for every writer: the admin, querysets, cascades,
loaders and the shell.
"""

from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, pre_delete
from django.utils.translation import gettext as _
from simple_history.models import HistoricalRecords

from municipalities.audit import record_event
from municipalities.models import AuditEvent
from promises.publishing import Publishable

# Models whose rows lie under a period or agreement, and the path from a row to it.
UNDER_PERIOD = {}


class PublishedDeletion(ValidationError):
    """Refused: unpublish first."""


def protect(model, path=None):
    """Refuse to delete published rows of `model` (a Publishable), or its rows while the
    period or agreement at `path` is published; audit the deletions people start."""
    if path is not None:
        UNDER_PERIOD[model] = path
    uid = model._meta.label_lower
    pre_delete.connect(refuse_published, sender=model, dispatch_uid=f"refuse-deletion-{uid}")
    post_delete.connect(audit_deletion, sender=model, dispatch_uid=f"audit-deletion-{uid}")


def period_of(instance, path):
    obj = instance
    for name in path.split("__"):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


def refuse_published(sender, instance, **kwargs):
    # The stored state, not the in-memory copy: a row loaded before it was published
    # is published all the same.
    if isinstance(instance, Publishable) and sender._base_manager.filter(
        pk=instance.pk, status=Publishable.Status.PUBLISHED
    ).exists():
        raise PublishedDeletion(
            _("“%(object)s” is published. Unpublish it, with a reason, before deleting it.")
            % {"object": instance},
            code="published",
        )
    path = UNDER_PERIOD.get(sender)
    if path is not None:
        period = period_of(instance, path)
        if period is not None and type(period)._base_manager.filter(
            pk=period.pk, status=Publishable.Status.PUBLISHED
        ).exists():
            raise PublishedDeletion(
                _("“%(object)s” belongs to the published “%(period)s”. Unpublish the period, "
                  "with a reason, before removing anything from it.")
                % {"object": instance, "period": period},
                code="under_published",
            )


def audit_deletion(sender, instance, origin=None, **kwargs):
    # Only what a person deleted, not each row a cascade took with it.
    started_here = origin is instance or getattr(origin, "model", None) is sender
    if not started_here:
        return
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    record_event(
        action=AuditEvent.Action.DELETED,
        user=user if user is not None and user.is_authenticated else None,
        obj=instance, request=request, model=sender._meta.label, pk=instance.pk,
    )


def protect_promises():
    from promises.models import (
        Activity, Agreement, AgreementSection, FocusArea, Indicator, Priority, Promise,
        PromisePeriod, Signatory,
    )

    protect(PromisePeriod)
    protect(Agreement)
    protect(AgreementSection, "agreement")
    for model in (Priority, Promise):
        protect(model, "period")
    for model in (FocusArea, Signatory):
        protect(model, "owner")
    for model in (Activity, Indicator):
        protect(model, "promise__period")
