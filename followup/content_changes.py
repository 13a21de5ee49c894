"""When a tertial's follow-up last changed (`TertialReport.content_changed_at`): an approval
of the report given before it no longer counts (promises/approval.py)."""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone


def on_followup_changed(sender, instance, raw=False, **kwargs):
    from followup.models import TertialReport

    if raw or not instance.promise_id:
        return
    TertialReport.objects.filter(
        period__promises=instance.promise_id, year=instance.year, tertial=instance.tertial,
    ).update(content_changed_at=timezone.now())


def connect():
    from followup.models import FollowUp

    post_save.connect(on_followup_changed, sender=FollowUp, dispatch_uid="content-followup-save")
    post_delete.connect(on_followup_changed, sender=FollowUp,
                        dispatch_uid="content-followup-delete")
