"""Retrying failed tasks: django.tasks and its database queue run a task once, so a task
whose body fails enqueues itself again, later, until it has been tried MAX_ATTEMPTS times.

A task that wants this takes the context and an `attempt` keyword, and runs its body inside
`retried(context)`:

    @task(takes_context=True)
    def send_confirmation(context, subscription_id, *, attempt=1):
        with retried(context):
            ...

The failed run stays in the queue as failed (with its traceback, for the admin); the retry
is a new entry that waits RETRY_DELAYS[attempt - 1]. Tasks that retry must be safe to run
again: each checks what is already done before doing it.
"""

import datetime
from contextlib import contextmanager

from django.utils import timezone

# Waits before the 2nd, 3rd, … attempt: a mail server that is down for a few hours is
# waited out; after the last attempt the task stays failed.
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def attempt_of(context):
    return context.task_result.kwargs.get("attempt", 1)


def is_last_attempt(context):
    return attempt_of(context) >= MAX_ATTEMPTS


def enqueue_retry(context):
    """Enqueue the running task again with the same arguments and the next attempt number;
    None after the last attempt."""
    result = context.task_result
    attempt = attempt_of(context)
    if attempt >= MAX_ATTEMPTS:
        return None
    task = result.task
    if task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 1])
    # A backend that cannot wait (the immediate one, in tests) runs the retry at once.
    return task.enqueue(*result.args, **{**result.kwargs, "attempt": attempt + 1})


@contextmanager
def retried(context):
    """Run a task's body; if it raises, enqueue the task again and let the error through,
    so this run is recorded as failed."""
    try:
        yield
    except Exception:
        enqueue_retry(context)
        raise
