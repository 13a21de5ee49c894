"""Subscribing, confirming and unsubscribing, and what publishing sets off: the services
behind the subscription pages, the publishing signals and `prune_subscriptions`.

Double opt-in: a request stores the address unconfirmed and queues the message with the
confirmation link; nothing else is sent to it until the link's button is pressed, and an
unconfirmed address is deleted after CONFIRMATION_DAYS. Unsubscribing deletes the address
and the record of what was sent to it.
"""

import datetime
import functools

from django.db import transaction
from django.utils import timezone

from promises.models import PromisePeriod
from public import tasks
from public.models import Delivery, Notice, Subscription
from public.notices import KIND_OF_MODEL

# A delivery still waiting this long after its last try has lost its task (a worker that
# died mid-batch): it is queued again. Longer than the longest wait between retries.
ORPHANED_AFTER = datetime.timedelta(hours=12)
# A delivery claimed this long ago whose sending was never recorded: the worker died while
# sending it. Marked failed rather than sent again (at most once).
STUCK_AFTER = datetime.timedelta(hours=1)


def normalize(email):
    # One address, one subscription: case is not significant in practice, and treating it so
    # keeps anyone from getting the same notice twice under two spellings.
    return email.strip().lower()


def request_subscription(*, email, municipality, language):
    """Store the request (or find the earlier one) and queue its message after the commit:
    the confirmation link, or to a confirmed address a note that it is subscribed already.
    The caller learns nothing about which it was."""
    email = normalize(email)
    with transaction.atomic():
        Subscription.objects.expired().delete()
        subscription, created = Subscription.objects.get_or_create(
            email=email, municipality=municipality, defaults={"language": language},
        )
        if not created and not subscription.is_confirmed and subscription.language != language:
            subscription.language = language
            subscription.save(update_fields=["language"])
        transaction.on_commit(functools.partial(
            tasks.send_confirmation.enqueue, subscription.pk,
            already_confirmed=subscription.is_confirmed,
        ))
    return subscription


def confirm(subscription):
    Subscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=True).update(
        confirmed_at=timezone.now()
    )


def unsubscribe(subscription):
    """Delete the address, with its pending and sent notices."""
    subscription.delete()


# Publishing ----------------------------------------------------------------------------------

def on_published(sender, instance, **kwargs):
    """Inside the publishing transaction: note the notice, and queue its announcement once
    the publication is committed (a rolled-back publication announces nothing)."""
    kind = KIND_OF_MODEL.get(sender)
    if kind is None:
        return
    notice, _created = Notice.objects.get_or_create(kind=kind, object_id=instance.pk)
    transaction.on_commit(functools.partial(tasks.announce.enqueue, notice.pk))


def on_unpublished(sender, instance, **kwargs):
    """Withdrawn before its notices went out: they are dropped (with a period, those of its
    reports too). A batch already being sent checks again before it starts."""
    kind = KIND_OF_MODEL.get(sender)
    if kind is None:
        return
    waiting = Delivery.objects.filter(status=Delivery.Status.PENDING)
    waiting.filter(notice__kind=kind, notice__object_id=instance.pk).delete()
    if sender is PromisePeriod:
        waiting.filter(
            notice__kind=Notice.Kind.REPORT,
            notice__object_id__in=instance.tertial_reports.values("pk"),
        ).delete()


def connect_publishing():
    """Called once from PublicConfig.ready()."""
    from promises.signals import published, unpublished

    published.connect(on_published, dispatch_uid="public-subscribers-published")
    unpublished.connect(on_unpublished, dispatch_uid="public-subscribers-unpublished")


# Upkeep --------------------------------------------------------------------------------------

def prune(now=None):
    """Delete unconfirmed requests older than CONFIRMATION_DAYS; requeue deliveries whose
    task was lost; mark as failed the ones a dead worker left half-sent. Counts of each."""
    now = now or timezone.now()
    expired = Subscription.objects.expired(now).delete()[1].get("public.Subscription", 0)
    stuck = Delivery.objects.filter(
        status=Delivery.Status.SENDING, updated_at__lt=now - STUCK_AFTER,
    ).update(status=Delivery.Status.FAILED, last_error="worker stopped", updated_at=now)
    orphaned = Delivery.objects.filter(
        status=Delivery.Status.PENDING, updated_at__lt=now - ORPHANED_AFTER,
    )
    requeued = 0
    for notice_id in set(orphaned.values_list("notice_id", flat=True)):
        requeued += orphaned.filter(notice_id=notice_id).update(updated_at=now)
        tasks.announce.enqueue(notice_id)
    return {"expired": expired, "stuck": stuck, "requeued": requeued}
