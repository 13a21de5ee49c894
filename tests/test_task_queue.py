"""The task queue for real: publishing and subscribing only enqueue; the worker
(`db_worker --batch`, from the database queue) sends; a failed send is tried again later;
nobody gets a notice twice; a withdrawn row's notices are dropped.

These tests commit (the worker runs as it does in production), so the database is emptied
after each and the migrations' rows are put back."""

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from municipalities.models import Municipality
from municipalities.retry import RETRY_DELAYS
from promises.publishing import publish, unpublish
from public.models import Delivery, Subscription
from tests.factories import make_member, make_period
from tests.mail_backends import FlakyBackend

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def place():
    return Municipality.objects.get(code="0483")


@pytest.fixture
def period(place, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # a published report gets its PDF
    return make_period(place, published=False, reports=())


@pytest.fixture
def publisher(place):
    return make_member("publisher", municipality=place)


@pytest.fixture
def flaky_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.FlakyBackend"}}
    FlakyBackend.refusals, FlakyBackend.attempts = {}, []
    yield FlakyBackend
    FlakyBackend.refusals, FlakyBackend.attempts = {}, []


def subscribe(email, municipality=None, *, confirmed=True):
    return Subscription.objects.create(
        email=email, municipality=municipality,
        confirmed_at=timezone.now() if confirmed else None,
    )


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def mail_tasks():
    """The queue without the build of the national files that every change of public data
    queues as well (tests/test_national_exports_stored.py)."""
    return DBTaskResult.objects.exclude(task_path="public.tasks.build_national_files")


def waiting_tasks():
    return mail_tasks().filter(status="READY")


def make_retries_due():
    """Pretend the wait before the retries has passed."""
    waiting_tasks().update(run_after=timezone.now())


def test_publishing_enqueues_and_the_worker_notifies_each_confirmed_address_once(
    period, place, publisher, run_worker
):
    flen = Municipality.objects.get(code="0482")
    subscribe("lokal@example.se", place)
    subscribe("hela-landet@example.se")
    subscribe("bada@example.se", place)
    subscribe("bada@example.se")  # also nationally: still one message
    subscribe("obekraftad@example.se", place, confirmed=False)
    subscribe("flen@example.se", flen)

    publish(period, by=publisher)

    # The publisher's request only queued the work: nothing is sent until the worker runs.
    assert mail.outbox == []
    assert [t.task_path for t in waiting_tasks()] == ["public.tasks.announce"]
    run_worker()

    assert recipients() == ["bada@example.se", "hela-landet@example.se", "lokal@example.se"]
    message = next(m for m in mail.outbox if m.to == ["lokal@example.se"])
    assert period.title in message.subject
    assert f"/medborgarloften/{period.pk}/" in message.body
    token = Subscription.objects.get(email="lokal@example.se").token
    unsubscribe_url = f"http://127.0.0.1:8000/prenumeration/avsluta/{token}/"
    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url in message.body
    raw = message.message().as_bytes()
    assert f"List-Unsubscribe: <{unsubscribe_url}>".encode() in raw
    # No message names another subscriber.
    for sent in mail.outbox:
        others = {"bada", "hela-landet", "lokal"} - {sent.to[0].split("@")[0]}
        assert not any(f"{name}@" in sent.body for name in others)
    assert set(mail_tasks().values_list("status", flat=True)) == {"SUCCESSFUL"}

    # Withdrawn and published again: nobody is told twice; a new subscriber is told.
    unpublish(period, by=publisher, reason="Fel datum")
    subscribe("ny@example.se", place)
    publish(period, by=publisher)
    run_worker()
    assert recipients() == [
        "bada@example.se", "hela-landet@example.se", "lokal@example.se", "ny@example.se",
    ]


def test_a_tertial_report_notifies_the_subscribers_of_every_municipality_of_its_period(
    period, place, publisher, run_worker
):
    flen = Municipality.objects.get(code="0482")
    period.municipalities.add(flen)
    period.police_area.municipalities.add(flen)
    publish(period, by=publisher)
    run_worker()
    subscribe("katrineholm@example.se", place)
    subscribe("flen@example.se", flen)
    subscribe("bada@example.se", place)
    subscribe("bada@example.se", flen)

    report = period.tertial_reports.get(year=2024, tertial=2)
    publish(report, by=publisher)
    run_worker()

    assert recipients() == ["bada@example.se", "flen@example.se", "katrineholm@example.se"]
    message = mail.outbox[0]
    assert "2" in message.subject and "2024" in message.subject
    assert f"/medborgarloften/{period.pk}/2024/tertial-2/" in message.body


def test_a_notice_withdrawn_before_the_worker_sends_it_is_dropped(
    period, place, publisher, run_worker
):
    subscribe("lokal@example.se", place)
    publish(period, by=publisher)
    unpublish(period, by=publisher, reason="Publicerades för tidigt")
    run_worker()

    assert mail.outbox == []
    assert not Delivery.objects.exists()
    assert set(mail_tasks().values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_a_failed_send_is_retried_later_and_sent_once(
    period, place, publisher, run_worker, flaky_mail
):
    for name in ("a", "b", "c"):
        subscribe(f"{name}@example.se", place)
    flaky_mail.refusals = {"b@example.se": 1}  # the mail server drops the line once

    publish(period, by=publisher)
    run_worker()

    # The others got theirs; b's waits, and the retry is queued for later, not now.
    assert recipients() == ["a@example.se", "c@example.se"]
    failed = mail_tasks().get(status="FAILED")
    assert failed.task_path == "public.tasks.send_notices"
    assert "b@example.se" not in failed.traceback  # the queue keeps no addresses
    retry = waiting_tasks().get()
    assert retry.task_path == "public.tasks.send_notices"
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    expected = timezone.now() + RETRY_DELAYS[0]
    assert abs(retry.run_after - expected) < datetime.timedelta(seconds=30)
    pending = Delivery.objects.get(subscription__email="b@example.se")
    assert (pending.status, pending.attempts) == ("pending", 1)
    assert pending.last_error == "SMTPServerDisconnected"

    run_worker()  # not due yet: nothing happens
    assert recipients() == ["a@example.se", "c@example.se"]

    make_retries_due()
    run_worker()
    assert recipients() == ["a@example.se", "b@example.se", "c@example.se"]
    assert flaky_mail.attempts.count("a@example.se") == 1
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert not waiting_tasks().exists()


def test_a_confirmation_message_that_failed_is_retried_by_the_worker(
    client, place, run_worker, flaky_mail
):
    flaky_mail.refusals = {"*": 1}
    response = client.post(
        f"/kommun/{place.slug}/prenumerera/", {"email": "ny@example.se"}
    )
    assert response.status_code == 302
    run_worker()
    assert mail.outbox == []
    assert mail_tasks().filter(status="FAILED").count() == 1

    make_retries_due()
    run_worker()
    [message] = mail.outbox
    assert message.to == ["ny@example.se"]
    token = Subscription.objects.get(email="ny@example.se").token
    assert f"/prenumeration/bekrafta/{token}/" in message.body


def test_an_address_that_unsubscribes_before_the_worker_runs_gets_nothing(
    period, place, publisher, run_worker
):
    subscription = subscribe("lokal@example.se", place)
    publish(period, by=publisher)
    run_worker()  # the fan-out and the sending run in one go
    assert recipients() == ["lokal@example.se"]

    report = period.tertial_reports.get(year=2024, tertial=1)
    publish(report, by=publisher)
    response = Client().post(
        f"/prenumeration/avsluta/{subscription.token}/",
        "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    run_worker()
    assert recipients() == ["lokal@example.se"]
    assert not Subscription.objects.exists() and not Delivery.objects.exists()

