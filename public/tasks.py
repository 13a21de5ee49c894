"""The public site's background work, run by the worker (`manage.py db_worker`): e-mail to
subscribers, and the national open-data files. Arguments are ids only, never addresses (the
queue keeps them). Each task is safe to run again and is retried when it fails
(municipalities/retry.py)."""

from django.tasks import task

from municipalities.retry import is_last_attempt, retried
from public import national_files, notices, period_pages, site_pages


@task(takes_context=True)
def send_confirmation(context, subscription_id, *, already_confirmed=False, attempt=1):
    with retried(context):
        return notices.send_confirmation(subscription_id, already_confirmed=already_confirmed)


@task(takes_context=True)
def announce(context, notice_id, *, attempt=1):
    """Find who is told of a notice and queue the sending in batches."""
    with retried(context):
        return notices.announce(notice_id, send_notices)


@task(takes_context=True)
def send_notices(context, notice_id, delivery_ids, *, attempt=1):
    with retried(context):
        return notices.send_batch(
            notice_id, delivery_ids, last_attempt=is_last_attempt(context)
        )


@task(takes_context=True)
def build_national_files(context, *, attempt=1):
    """Render the pages marked out of date (public/period_pages.py, public/site_pages.py),
    then build the national JSON, CSV and Excel files from published data and store them
    (queued after changes to public data, public/national_files.py)."""
    with retried(context):
        period_pages.render()
        site_pages.render()
        _current, replaced = national_files.build_and_finish()
        return {"replaced": replaced}

