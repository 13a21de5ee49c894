"""The e-mail to subscribers, done by the worker (public/tasks.py): the confirmation
message, and a notice of each newly published period, agreement or tertial report to every
confirmed address of its municipalities and of the whole country, once per address.

Every message is in the subscriber's language, has a one-click unsubscribe link in its body
and in the List-Unsubscribe and List-Unsubscribe-Post headers (RFC 8058), and names no other
subscriber. A notice whose row is withdrawn before it goes out is dropped.
"""

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from followup.models import TertialReport
from municipalities.retry import MAX_ATTEMPTS
from promises.models import Agreement, PromisePeriod
from public.models import CONFIRMATION_DAYS, Delivery, Notice, Subscription

# Notices per task: one SMTP connection each, and a withdrawal is noticed between batches.
BATCH_SIZE = 100


class SendFailed(Exception):
    """Some messages could not be handed to the mail server; the task is tried again. Its
    text never holds an address (an SMTP reply may), as it is kept with the task."""


def describe(error):
    code = getattr(error, "smtp_code", None)
    return f"{type(error).__name__}{f' {code}' if code else ''}"[:100]


class UnfoldedHeader(str):
    """A header written on one line as given. Python's email package folds a line longer
    than 78 characters, and a URL has no space to fold at, so it would be encoded (RFC
    2047); mail clients read List-Unsubscribe as it stands, so it must stay plain."""

    def __new__(cls, name, value):
        header = super().__new__(cls, value)
        header.name = name  # lets email.policy store it as a finished header
        return header

    def fold(self, *, policy):
        return f"{self.name}: {self}{policy.linesep}"

    def __reduce__(self):  # copied and pickled whole (the locmem backend deep-copies)
        return (UnfoldedHeader, (self.name, str(self)))


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def links(subscription):
    """The subscriber's own confirmation and unsubscribe addresses, in their language."""
    with translation.override(subscription.language):
        return {
            "confirm_url": absolute(
                reverse("public:subscription_confirm", args=[subscription.token])
            ),
            "unsubscribe_url": absolute(
                reverse("public:subscription_unsubscribe", args=[subscription.token])
            ),
        }


def compose(subscription, template, context):
    """An EmailMessage from public/email/<template>_subject.txt and _body.txt."""
    address_links = links(subscription)
    with translation.override(subscription.language):
        context = {
            **context,
            **address_links,
            "subscription": subscription,
            "place": subscription.place_name,
            "operator": settings.PORTAL_OPERATOR,
            "contact_email": settings.PORTAL_CONTACT_EMAIL,
            "privacy_url": absolute(reverse("public:privacy")),
            "confirmation_days": CONFIRMATION_DAYS,
        }
        subject = render_to_string(f"public/email/{template}_subject.txt", context)
        body = render_to_string(f"public/email/{template}_body.txt", context)
    return EmailMessage(
        " ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [subscription.email],
        headers={
            "List-Unsubscribe": UnfoldedHeader(
                "List-Unsubscribe", f"<{address_links['unsubscribe_url']}>"
            ),
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # No out-of-office replies to an address nobody reads.
            "Auto-Submitted": "auto-generated",
        },
    )


def send_one(message):
    try:
        with mailers.default as connection:
            connection.send_messages([message])
    except Exception as error:
        raise SendFailed(describe(error)) from None


def send_confirmation(subscription_id, *, already_confirmed):
    """The message with the confirmation link (or, to an address that is confirmed already,
    a note saying so). Nothing when the subscription is gone or confirmed meanwhile."""
    subscription = (
        Subscription.objects.select_related("municipality").filter(pk=subscription_id).first()
    )
    if subscription is None or (subscription.is_confirmed and not already_confirmed):
        return False
    template = "already_subscribed" if already_confirmed else "confirm"
    send_one(compose(subscription, template, {}))
    return True


# Notices -----------------------------------------------------------------------------------

KIND_OF_MODEL = {
    PromisePeriod: Notice.Kind.PERIOD,
    Agreement: Notice.Kind.AGREEMENT,
    TertialReport: Notice.Kind.REPORT,
}


def public_subject(notice):
    """The published row the notice is about, or None when it is not public now (a report
    is public only while its period is too)."""
    if notice.kind == Notice.Kind.PERIOD:
        rows = PromisePeriod.objects.published()
    elif notice.kind == Notice.Kind.AGREEMENT:
        rows = Agreement.objects.published()
    else:
        rows = TertialReport.objects.public().select_related("period")
    return rows.filter(pk=notice.object_id).first()


def municipality_ids(notice, subject):
    owner = subject.period if notice.kind == Notice.Kind.REPORT else subject
    return list(owner.municipalities.values_list("pk", flat=True))


def drop_pending(deliveries):
    """Forget notices that have not gone out (their row was withdrawn)."""
    return deliveries.filter(status=Delivery.Status.PENDING).delete()[0]


def fan_out(notice_id):
    """A delivery for every confirmed address of the subject's municipalities or of the
    whole country that has none for this notice yet (one per address, through its
    municipality's subscription if it has one); the ids of every delivery still to send, in
    batches. Call inside a transaction, with the enqueueing of the batches."""
    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None:
        return []
    subject = public_subject(notice)
    if subject is None:
        drop_pending(notice.deliveries.all())
        return []
    told = Delivery.objects.filter(notice=notice).values("subscription__email")
    candidates = (
        Subscription.objects.confirmed()
        .filter(Q(municipality__in=municipality_ids(notice, subject))
                | Q(municipality__isnull=True))
        .exclude(email__in=told)
        .order_by("email", F("municipality_id").asc(nulls_last=True), "pk")
        .values_list("pk", "email")
    )
    chosen, seen = [], set()
    for pk, email in candidates.iterator(chunk_size=2000):
        if email not in seen:
            seen.add(email)
            chosen.append(Delivery(notice=notice, subscription_id=pk))
    Delivery.objects.bulk_create(chosen, batch_size=1000, ignore_conflicts=True)
    pending = list(
        notice.deliveries.filter(status=Delivery.Status.PENDING)
        .order_by("pk").values_list("pk", flat=True)
    )
    return [pending[i:i + BATCH_SIZE] for i in range(0, len(pending), BATCH_SIZE)]


def notice_context(notice, subject):
    """What the notice says, in the active language."""
    if notice.kind == Notice.Kind.REPORT:
        period = subject.period
        return {
            "kind": notice.kind, "report": subject, "period": period,
            "tertial": subject.tertial_period, "places": period.municipality_names(),
            "url": absolute(subject.get_absolute_url()),
        }
    return {
        "kind": notice.kind, "subject": subject, "places": subject.municipality_names(),
        "url": absolute(subject.get_absolute_url()),
    }


def claim(delivery_id):
    """Mark the delivery as being sent, unless another run has it: at most once."""
    return Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SENDING, updated_at=timezone.now(),
    ) == 1


def settle(delivery_id, status, error=""):
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
        status=status, attempts=F("attempts") + 1, last_error=error,
        updated_at=timezone.now(),
    )


def send_batch(notice_id, delivery_ids, *, last_attempt):
    """Send the batch's waiting deliveries; SendFailed when some failed and will be tried
    again (on the last attempt they are marked failed instead). The number sent."""
    notice = Notice.objects.filter(pk=notice_id).first()
    deliveries = Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.PENDING)
    subject = public_subject(notice) if notice else None
    if subject is None:
        drop_pending(deliveries)
        return 0
    contexts = {}
    sent, failed = 0, 0
    with mailers.default as connection:
        rows = deliveries.select_related("subscription__municipality").order_by("pk")
        for delivery in rows:
            if not claim(delivery.pk):
                continue
            subscription = delivery.subscription
            if subscription.language not in contexts:
                with translation.override(subscription.language):
                    contexts[subscription.language] = notice_context(notice, subject)
            message = compose(subscription, "notice", contexts[subscription.language])
            try:
                connection.send_messages([message])
            except Exception as error:
                give_up = last_attempt or delivery.attempts + 1 >= MAX_ATTEMPTS
                settle(
                    delivery.pk,
                    Delivery.Status.FAILED if give_up else Delivery.Status.PENDING,
                    describe(error),
                )
                failed += not give_up
            else:
                settle(delivery.pk, Delivery.Status.SENT)
                sent += 1
    if failed:
        raise SendFailed(f"{failed} of {len(delivery_ids)} notices were not sent.")
    return sent


@transaction.atomic
def announce(notice_id, send_task):
    """fan_out, and enqueue `send_task` for each batch in the same transaction (with the
    database queue, the deliveries and their tasks are committed together)."""
    batches = fan_out(notice_id)
    for batch in batches:
        send_task.enqueue(notice_id, batch)
    return sum(len(batch) for batch in batches)
