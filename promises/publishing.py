"""Publishing: one shape for everything citizens may read once it is published (promise
periods, agreements, tertial reports), and the only two ways its state changes.

The state (status, when published, when and why withdrawn) changes only in `publish` and
`unpublish`. Any other save — a form, an inline, a history revert, a loader — keeps the
stored state, so restoring an old version restores content only. A published row is not
deleted: it is unpublished first, with a reason (see promises/deletion.py).
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from municipalities.audit import record_event
from municipalities.models import AuditEvent
from promises.signals import published, unpublished

PUBLICATION_FIELDS = ("status", "published_at", "unpublished_at", "unpublished_reason")


class Publishable(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", gettext_lazy("Draft")
        PUBLISHED = "published", gettext_lazy("Published")

    status = models.CharField(
        gettext_lazy("status"), max_length=12, choices=Status.choices, default=Status.DRAFT,
        editable=False,
    )
    published_at = models.DateTimeField(
        gettext_lazy("published at"), null=True, blank=True, editable=False
    )
    unpublished_at = models.DateTimeField(
        gettext_lazy("withdrawn at"), null=True, blank=True, editable=False
    )
    unpublished_reason = models.TextField(
        gettext_lazy("reason for withdrawing"), blank=True, editable=False
    )

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(published_at__isnull=False),
                name="%(app_label)s_%(class)s_published_has_time",
                violation_error_message=gettext_lazy("A published row needs a publication time."),
            ),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding and not getattr(self, "_publishing", False):
            stored = (
                type(self)._base_manager.filter(pk=self.pk).values(*PUBLICATION_FIELDS).first()
            )
            for name, value in (stored or {}).items():
                setattr(self, name, value)
        return super().save(*args, **kwargs)

    @property
    def is_published(self):
        return self.status == self.Status.PUBLISHED

    @property
    def was_withdrawn(self):
        return not self.is_published and self.unpublished_at is not None


def _audit_model(obj):
    return obj._meta.label


def _change_state(obj, *, by, request, state, action, reason=""):
    model = type(obj)
    with transaction.atomic():
        locked = model._base_manager.select_for_update().get(pk=obj.pk)
        locked.__dict__.update(state)
        locked._publishing = True
        locked._history_user = by
        try:
            locked.save()
        finally:
            locked._publishing = False
        details = {"reason": reason} if reason else {}
        record_event(
            action=action, user=by, obj=locked, request=request,
            model=_audit_model(locked), pk=locked.pk, **details,
        )
        signal = published if action == AuditEvent.Action.PUBLISHED else unpublished
        signal.send(sender=model, instance=locked, by=by)
    return locked


def publish(obj, *, by, request=None):
    """Make `obj` public now. Publishing what is published is refused."""
    if type(obj)._base_manager.filter(pk=obj.pk, status=Publishable.Status.PUBLISHED).exists():
        raise ValidationError(_("“%(object)s” is already published.") % {"object": obj})
    return _change_state(
        obj, by=by, request=request, action=AuditEvent.Action.PUBLISHED,
        state={"status": Publishable.Status.PUBLISHED, "published_at": timezone.now(),
               "unpublished_at": None, "unpublished_reason": ""},
    )


def unpublish(obj, *, by, reason, request=None):
    """Take `obj` off the public site; the reason is required and kept with it."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Say why it is withdrawn."), code="reason_required")
    if not type(obj)._base_manager.filter(
        pk=obj.pk, status=Publishable.Status.PUBLISHED
    ).exists():
        raise ValidationError(_("“%(object)s” is not published.") % {"object": obj})
    return _change_state(
        obj, by=by, request=request, action=AuditEvent.Action.UNPUBLISHED, reason=reason,
        state={"status": Publishable.Status.DRAFT, "published_at": None,
               "unpublished_at": timezone.now(), "unpublished_reason": reason},
    )
