"""Both parties approve before publication: a promise period and a tertial report go public
only when a publisher of the municipality and a publisher of the police area have each
approved the same version of it (PORTAL_DUAL_APPROVAL; off, one publisher suffices).

An approval names the row's version (municipalities/versioning.py) and the moment its
content last changed (`content_changed_at`: a period's promises, a report's follow-up),
so any change after an approval withdraws it: it no longer counts. The service that
records approvals and publishes after the second is `approve` in promises/publishing.py.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from municipalities.roles import PUBLISHERS
from municipalities.rules import places


class Side(models.TextChoices):
    MUNICIPALITY = "municipality", _("Municipality")
    POLICE = "police", _("Police")


class Approval(models.Model):
    """One party's approval of one version of a period or a tertial report. The concrete
    models name what they approve (`PeriodApproval`, `TertialReportApproval`); both are
    reached from it as `approvals`."""

    side = models.CharField(_("party"), max_length=12, choices=Side.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
        verbose_name=_("approved by"),
    )
    # Kept as text so the record survives the user's deletion.
    username = models.CharField(_("username"), max_length=150)
    version = models.PositiveIntegerField(_("version"))
    content_mark = models.CharField(_("content as of"), max_length=40, blank=True)
    approved_at = models.DateTimeField(_("approved at"), auto_now_add=True)
    # Who has been asked by e-mail to approve next (promises/approval_mail.py), so a retry
    # asks nobody twice.
    notified_user_ids = models.JSONField(default=list, blank=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["-approved_at", "-pk"]

    @classmethod
    def constraints_for(cls, owner, prefix):
        """Per version: one approval for each party, and a person approves once (so never
        for both parties)."""
        return [
            models.UniqueConstraint(
                fields=[owner, "version", "content_mark", "side"],
                name=f"{prefix}_approval_once_per_side",
            ),
            models.UniqueConstraint(
                fields=[owner, "version", "content_mark", "user"],
                name=f"{prefix}_approval_once_per_person",
            ),
        ]

    # The name of the concrete model's key to what it approves.
    row_field = None

    @property
    def approved_row(self):
        return getattr(self, self.row_field)

    def counts_for(self, obj):
        """Whether this approval is of `obj` as it stands now."""
        return self.version == obj.version and self.content_mark == content_mark(obj)


def requires_both_parties(obj_or_model):
    """Whether publishing this kind of row waits for both parties' approval."""
    return settings.PORTAL_DUAL_APPROVAL and getattr(
        obj_or_model, "approved_by_both_parties", False
    )


def content_mark(obj):
    changed = getattr(obj, "content_changed_at", None)
    return changed.isoformat() if changed else ""


def current_approvals(obj):
    """The approvals that still count: of the row's present version and content. Uses the
    prefetched `approvals` when a list prefetched them."""
    return [approval for approval in obj.approvals.all() if approval.counts_for(obj)]


def approved_sides(obj):
    return {approval.side for approval in current_approvals(obj)}


def missing_sides(obj):
    """The parties whose approval the row still waits for, in the order of `Side`."""
    approved = approved_sides(obj)
    return [side for side in Side if side not in approved]


def sides_of(user, obj):
    """The parties of `obj` the user publishes for: a publisher membership of one of its
    municipalities, of its police area, or both. A national administrator approves for
    neither (like signing, approving is the parties' own)."""
    municipalities, areas = places(user, PUBLISHERS)
    scope = obj.scope()
    sides = []
    if municipalities & scope.municipalities:
        sides.append(Side.MUNICIPALITY)
    if areas & scope.police_areas:
        sides.append(Side.POLICE)
    return sides


def sides_open_to(user, obj):
    """The parties the user may approve `obj` for now: their own, not yet approved, unless
    they have approved this version already (for either)."""
    approvals = current_approvals(obj)
    if any(approval.user_id == user.pk for approval in approvals):
        return []
    approved = {approval.side for approval in approvals}
    return [side for side in sides_of(user, obj) if side not in approved]
