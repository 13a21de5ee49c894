"""When a tertial's follow-up last changed (`TertialReport.content_changed_at`): an approval
of the report given before it no longer counts (promises/approval.py).

Every save or delete of a follow-up marks its report. `save_tertial_followups` writes
without signals (followup/services.py) and marks the report once for the whole tertial."""

from django.db.models.signals import post_delete, post_save
from django.utils import timezone


def mark_report(reports):
    reports.update(content_changed_at=timezone.now())


def on_followup_changed(sender, instance, raw=False, **kwargs):
    from followup.models import TertialReport

    if raw or not instance.promise_id:
        return
    mark_report(TertialReport.objects.filter(
        period__promises=instance.promise_id, year=instance.year, tertial=instance.tertial,
    ))


def connect():
    from followup.models import FollowUp

    post_save.connect(on_followup_changed, sender=FollowUp, dispatch_uid="content-followup-save")
    post_delete.connect(on_followup_changed, sender=FollowUp,
                        dispatch_uid="content-followup-delete")
