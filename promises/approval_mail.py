"""The e-mail that asks the other party's publishers to approve a period or a tertial report
one party has approved (promises/approval.py), sent by the worker (promises/tasks.py).

Each publisher is told once per approval, in a message of their own; a request whose row
was changed, approved by the other party or published meanwhile is dropped."""

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, mailers
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from municipalities.roles import PUBLISHERS
from promises.approval import Side, approved_sides


class SendFailed(Exception):
    """Some messages could not be handed to the mail server; the task is tried again."""


def other_side(side):
    return Side.POLICE if side == Side.MUNICIPALITY else Side.MUNICIPALITY


def publishers_of(row, side):
    """Active users with an e-mail address who publish for `side` of the row."""
    scope = row.scope()
    if side == Side.MUNICIPALITY:
        place = Q(memberships__municipality__in=scope.municipalities)
    else:
        place = Q(memberships__police_area__in=scope.police_areas)
    return get_user_model().objects.filter(
        place, memberships__role__in=PUBLISHERS, is_active=True,
    ).exclude(email="").distinct().order_by("pk")


def change_url(row):
    opts = row._meta
    path = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
    return settings.SITE_URL.rstrip("/") + path


def compose(approval, row, user):
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "name": user.get_full_name() or user.get_username(),
            "approver": approval.username,
            "row": str(row),
            "from_municipality": approval.side == Side.MUNICIPALITY,
            "url": change_url(row),
        }
        subject = render_to_string("promises/approval_request_subject.txt", context)
        body = render_to_string("promises/approval_request_email.txt", context)
    return EmailMessage(
        subject=" ".join(subject.split()), body=body, to=[user.email],
        from_email=settings.DEFAULT_FROM_EMAIL,
    )


def ask_for_approval(approval_label, approval_id):
    """Send the request to every publisher of the other party not yet told of this
    approval; the number sent. Raises SendFailed when some could not be sent (those sent
    are noted, so a retry does not send them again)."""
    model = apps.get_model(approval_label)
    approval = model.objects.filter(pk=approval_id).first()
    if approval is None:
        return 0
    row = approval.approved_row
    waiting_for = other_side(approval.side)
    if row.is_published or not approval.counts_for(row) or waiting_for in approved_sides(row):
        return 0
    told = set(approval.notified_user_ids)
    sent, failed = 0, 0
    with mailers.default as connection:
        for user in publishers_of(row, waiting_for).exclude(pk=approval.user_id):
            if user.pk in told:
                continue
            try:
                connection.send_messages([compose(approval, row, user)])
            except Exception:  # whatever the mail server answered: tried again later
                failed += 1
                continue
            told.add(user.pk)
            sent += 1
            model.objects.filter(pk=approval.pk).update(notified_user_ids=sorted(told))
    if failed:
        raise SendFailed(f"{failed} of {failed + sent} approval requests not sent")
    return sent
