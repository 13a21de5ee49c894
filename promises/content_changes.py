"""When the text of a medborgarlöfte last changed (`PromisePeriod.content_changed_at`): a
signed document made before that no longer says what the period says."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone


def touch(period_id):
    from promises.models import PromisePeriod

    if period_id:
        PromisePeriod.objects.filter(pk=period_id).update(content_changed_at=timezone.now())


def period_id_of(instance):
    """The period a promise, activity, indicator, priority, focus area or signatory is in
    (None for an agreement's)."""
    if getattr(instance, "period_id", None):
        return instance.period_id
    promise = getattr(instance, "promise", None)
    return promise.period_id if promise is not None else None


def on_period_saved(sender, instance, created=False, raw=False, **kwargs):
    if raw or getattr(instance, "_publishing", False):
        return
    if not created:
        touch(instance.pk)


def on_content_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        touch(period_id_of(instance))


def connect():
    from promises.models import (
        Activity, FocusArea, Indicator, Priority, Promise, PromisePeriod, Signatory,
    )

    post_save.connect(on_period_saved, sender=PromisePeriod, dispatch_uid="content-period")
    for model in (Priority, FocusArea, Signatory, Promise, Activity, Indicator):
        uid = f"content-{model._meta.model_name}"
        post_save.connect(on_content_changed, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(on_content_changed, sender=model, dispatch_uid=f"{uid}-delete")
    m2m_changed.connect(on_content_changed, sender=Promise.focus_areas.through,
                        dispatch_uid="content-promise-focus-areas")
