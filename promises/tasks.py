"""The promises app's background work, run by the worker (`manage.py db_worker`): asking the
other party to approve. Arguments are ids only. Safe to run again, and retried when it
fails (municipalities/retry.py)."""

from django.tasks import task

from municipalities.retry import retried
from promises import approval_mail


@task(takes_context=True)
def ask_for_approval(context, approval_label, approval_id, *, attempt=1):
    with retried(context):
        return approval_mail.ask_for_approval(approval_label, approval_id)
