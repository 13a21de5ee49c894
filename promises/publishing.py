"""Publishing: one shape for everything citizens may read once it is published (promise
periods, agreements, tertial reports), and the only two ways its state changes.

The state (status, when published, when and why withdrawn) changes only in `publish` and
`unpublish`. Periods and tertial reports are published when both parties have approved
them (`approve`, promises/approval.py): `publish` refuses them before that, unless
PORTAL_DUAL_APPROVAL is off. Either party unpublishes alone. Any other save — a form, an
inline, a history revert, a loader — keeps the stored state, so restoring an old version
restores content only. A published row is not deleted: it is unpublished first, with a
reason (see promises/deletion.py).
"""

import functools

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from municipalities.audit import record_event
from municipalities.models import AuditEvent
from promises.approval import (
    Side, content_mark, missing_sides, requires_both_parties, sides_of,
)
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
    """Make `obj` public now. Publishing what is published is refused, and so is a period or
    tertial report that waits for a party's approval (see `approve`)."""
    model = type(obj)
    with transaction.atomic():
        stored = model._base_manager.select_for_update().get(pk=obj.pk)
        if stored.is_published:
            raise ValidationError(_("“%(object)s” is already published.") % {"object": obj})
        if requires_both_parties(stored) and missing_sides(stored):
            raise ValidationError(
                _("“%(object)s” waits for the approval of: %(parties)s.") % {
                    "object": obj,
                    "parties": ", ".join(str(side.label) for side in missing_sides(stored)),
                },
                code="approval_missing",
            )
        return _change_state(
            obj, by=by, request=request, action=AuditEvent.Action.PUBLISHED,
            state={"status": Publishable.Status.PUBLISHED, "published_at": timezone.now(),
                   "unpublished_at": None, "unpublished_reason": ""},
        )


def approve(obj, *, by, request=None):
    """Approve `obj` for publication for the party the user publishes for; the second
    party's approval of the same version publishes it. Returns the row as it now stands.

    A person approves a version once, so never for both parties, even holding both roles.
    The other party's publishers are told by e-mail (promises/tasks.py). With
    PORTAL_DUAL_APPROVAL off (or for an agreement) one publisher suffices: this publishes.
    """
    if not requires_both_parties(obj):
        return publish(obj, by=by, request=request)
    model = type(obj)
    with transaction.atomic():
        locked = model._base_manager.select_for_update().get(pk=obj.pk)
        if locked.is_published:
            raise ValidationError(_("“%(object)s” is already published.") % {"object": obj})
        if locked.version != obj.version:
            raise ValidationError(_(
                "“%(object)s” was changed after you opened it. Look at it again before "
                "approving it."
            ) % {"object": obj}, code="changed")
        approvals = [a for a in locked.approvals.all() if a.counts_for(locked)]
        if by is not None and any(approval.user_id == by.pk for approval in approvals):
            raise ValidationError(_(
                "You have already approved this version of “%(object)s”. A publisher of the "
                "other party approves it next."
            ) % {"object": obj}, code="approved_already")
        mine = sides_of(by, locked)
        if not mine:
            raise ValidationError(_(
                "Only a publisher of the municipality or of the police area approves “%(object)s”."
            ) % {"object": obj}, code="not_a_party")
        approved = {approval.side for approval in approvals}
        open_sides = [side for side in mine if side not in approved]
        if not open_sides:
            raise ValidationError(_(
                "Your party has already approved this version of “%(object)s”."
            ) % {"object": obj}, code="party_approved_already")
        side = open_sides[0]
        approval = locked.approvals.create(
            side=side, user=by, username=by.get_username(), version=locked.version,
            content_mark=content_mark(locked),
        )
        record_event(
            action=AuditEvent.Action.APPROVED, user=by, obj=locked, request=request,
            model=_audit_model(locked), pk=locked.pk, party=str(side), version=locked.version,
        )
        if approved | {side} >= set(Side):
            return publish(locked, by=by, request=request)
        transaction.on_commit(functools.partial(ask_other_party, approval))
    return locked


def ask_other_party(approval):
    from promises import tasks  # the tasks read the models, which import this module

    tasks.ask_for_approval.enqueue(approval._meta.label, approval.pk)


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
