"""Citizens' subscriptions: the form, double opt-in, pages with buttons behind every link,
one-click unsubscribe, bad input, rate limits, saying nothing about other subscribers,
retention, the admin and the privacy page. The queued work runs at once here (the immediate
backend); tests/test_task_queue.py runs it through the real queue and worker."""

import datetime
import io
import json
import re
import tarfile

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.management import call_command
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone, translation

from municipalities.models import Municipality
from municipalities.retry import MAX_ATTEMPTS
from promises.models import Agreement
from promises.publishing import publish
from public.models import Delivery, Notice, Subscription
from tests.factories import form_fields, make_member, make_period
from tests.mail_backends import FlakyBackend

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def work_done_at_once(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def committed():
    """`with committed():` runs what the block queued for after its commit when the block
    ends (the test's own transaction never commits)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


@pytest.fixture
def place():
    return Municipality.objects.get(code="0483")


def subscribe_url(place=None):
    if place is None:
        return reverse("public:subscribe")
    return reverse("public:municipality_subscribe", args=[place.slug])


def post(client, place, email, *, language="sv", **extra):
    """Post the form (in the page's language) and run the work it queues."""
    with translation.override(language):
        url = subscribe_url(place)
    with committed():
        return client.post(url, {"email": email}, **extra)


def link_in(message, name):
    """The path of the link to the page `name` (confirm, unsubscribe) in the message."""
    marker = {"confirm": "/prenumeration/bekrafta/", "unsubscribe": "/prenumeration/avsluta/"}
    for word in message.body.split():
        if marker[name] in word:
            return word.removeprefix("http://127.0.0.1:8000")
    raise AssertionError(f"No {name} link in:\n{message.body}")


def confirmed(email, municipality=None):
    return Subscription.objects.create(
        email=email, municipality=municipality, confirmed_at=timezone.now()
    )


# Subscribing and confirming -------------------------------------------------------------------

def test_subscribing_sends_only_a_confirmation_and_the_link_confirms_after_the_button(
    client, place
):
    response = client.get(subscribe_url(place))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert set(form_fields(response.content.decode(), "subscribe-form")) == {
        "csrfmiddlewaretoken", "email",
    }

    response = post(client, place, "  Anna.Andersson@Example.SE ")
    assert response.status_code == 302
    assert response["Location"] == reverse("public:municipality_subscribe_sent", args=[place.slug])
    assert client.get(response["Location"]).status_code == 200

    subscription = Subscription.objects.get()
    assert (subscription.email, subscription.municipality) == ("anna.andersson@example.se", place)
    assert not subscription.is_confirmed
    [message] = mail.outbox
    assert message.to == ["anna.andersson@example.se"]
    assert message.extra_headers["List-Unsubscribe"].startswith("<http://127.0.0.1:8000/")
    confirm_path = link_in(message, "confirm")

    # Opening the link (as a mail scanner does) confirms nothing: the page has a button.
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert 'name="robots" content="noindex"' in page.content.decode()
    subscription.refresh_from_db()
    assert not subscription.is_confirmed

    response = Client(enforce_csrf_checks=True).post(confirm_path)
    assert response.status_code == 403  # a forged form is refused
    subscription.refresh_from_db()
    assert not subscription.is_confirmed

    response = client.post(confirm_path)
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert subscription.is_confirmed
    page = client.get("/en" + confirm_path).content.decode()
    assert "Subscription confirmed" in page and 'class="confirm-form"' not in page
    assert len(mail.outbox) == 1  # nothing more was sent


def test_the_national_subscription_is_on_its_own_page_linked_from_home(client):
    home = client.get(reverse("public:home")).content.decode()
    assert f'href="{subscribe_url()}"' in home
    assert post(client, None, "alla@example.se").status_code == 302
    subscription = Subscription.objects.get()
    assert subscription.municipality is None


def test_the_municipality_page_links_to_its_subscribe_page_and_carries_no_form_token(
    client, place
):
    page = client.get(reverse("public:municipality", args=[place.slug])).content.decode()
    assert f'href="{subscribe_url(place)}"' in page
    assert 'name="email"' not in page  # the form is on its own, uncached page


def test_an_english_subscriber_gets_english_links(client, place):
    post(client, place, "anna@example.se", language="en")
    assert Subscription.objects.get().language == "en"
    assert link_in(mail.outbox[0], "confirm").startswith("/en/prenumeration/bekrafta/")


def test_confirmation_links_of_requests_older_than_seven_days_no_longer_work(client, place):
    post(client, place, "sen@example.se", language="en")
    Subscription.objects.update(created_at=timezone.now() - datetime.timedelta(days=8))
    response = client.get(link_in(mail.outbox[0], "confirm"))
    assert response.status_code == 404
    assert "This link no longer works" in response.content.decode()


# Unsubscribing ----------------------------------------------------------------------------------

def test_unsubscribe_link_opens_a_page_and_its_button_deletes_the_address(client, place):
    subscription = confirmed("anna@example.se", place)
    path = reverse("public:subscription_unsubscribe", args=[subscription.token])

    assert client.get(path).status_code == 200
    assert Subscription.objects.filter(pk=subscription.pk).exists()

    response = client.post(path)
    assert response.status_code == 200
    assert not Subscription.objects.exists()
    assert "anna@example.se" not in response.content.decode()
    assert client.get(path).status_code == 404


def test_one_click_unsubscribe_needs_no_login_cookie_or_form_token(place):
    """RFC 8058: the mail client POSTs `List-Unsubscribe=One-Click` to the header's URL."""
    subscription = confirmed("anna@example.se", place)
    period = make_period(place, published=False, reports=())
    with committed():
        publish(period, by=make_member("publisher", municipality=place))
    assert Delivery.objects.filter(subscription=subscription, status="sent").exists()
    header = mail.outbox[0].extra_headers["List-Unsubscribe"]
    path = header.strip("<>").removeprefix("http://127.0.0.1:8000")

    response = Client(enforce_csrf_checks=True).post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert not Subscription.objects.exists()
    assert not Delivery.objects.exists()  # what was sent to it goes with it


# Bad input, rate limits, saying nothing -----------------------------------------------------

@pytest.mark.parametrize(("email", "message"), [
    ("", "Enter your e-mail address."),
    ("anna", "Enter a whole e-mail address"),
    ("anna@", "Enter a whole e-mail address"),
    ("anna@example.se\nBcc: x@example.se", "Enter a whole e-mail address"),
    ("a" * 250 + "@example.se", "too long"),
    ("a@" + "b" * 400 + ".se", "too long"),
])
def test_bad_addresses_get_a_clear_message_and_nothing_is_stored(
    client, place, english, email, message
):
    response = post(client, place, email, language="en")
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'aria-invalid="true"' in page
    assert not Subscription.objects.exists()
    assert mail.outbox == []


def test_unknown_municipality_is_404(client):
    assert client.get("/kommun/finns-inte/prenumerera/").status_code == 404
    response = client.post("/kommun/finns-inte/prenumerera/", {"email": "a@example.se"})
    assert response.status_code == 404


def test_the_form_is_rate_limited_per_client(client, place, settings):
    settings.SUBSCRIBE_REQUESTS_PER_MINUTE = 2
    for number in range(2):
        assert post(client, place, f"person{number}@example.se").status_code == 302
    response = post(client, place, "person3@example.se", language="en")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Too many requests from your connection" in response.content.decode()
    assert Subscription.objects.count() == 2
    # Another connection is not held back.
    assert post(client, place, "person4@example.se", REMOTE_ADDR="192.0.2.9").status_code == 302


def test_the_form_is_rate_limited_per_address_whatever_the_client(client, place, settings):
    settings.SUBSCRIBE_REQUESTS_PER_ADDRESS_PER_HOUR = 2
    for number in range(2):
        response = post(client, place, "offer@example.se", REMOTE_ADDR=f"192.0.2.{number}")
        assert response.status_code == 302
    response = post(client, place, "OFFER@example.se", language="en", REMOTE_ADDR="192.0.2.77")
    assert response.status_code == 429
    assert 60 < int(response["Retry-After"]) <= 3600
    assert "Too many requests for this e-mail address" in response.content.decode()
    assert len(mail.outbox) == 2
    assert post(client, place, "annan@example.se", REMOTE_ADDR="192.0.2.78").status_code == 302


def test_the_answer_is_the_same_whether_or_not_the_address_subscribes_already(client, place):
    confirmed("finns@example.se", place)

    def answer(email):
        response = post(Client(), place, email)
        page = Client().get(response["Location"]).content.decode()
        # Every visitor's form token differs; nothing else may.
        page = re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page)
        return response.status_code, response["Location"], page

    assert answer("finns@example.se") == answer("ny@example.se")
    # The confirmed address is told it is subscribed already; the new one gets its link.
    to_known, to_new = mail.outbox
    assert to_known.to == ["finns@example.se"] and "/bekrafta/" not in to_known.body
    assert to_new.to == ["ny@example.se"] and "/bekrafta/" in to_new.body
    assert Subscription.objects.get(email="finns@example.se").is_confirmed


def test_one_address_is_one_subscription_whatever_its_case(client, place):
    post(client, place, "Anna@Example.se")
    post(client, place, "anna@example.SE")
    assert Subscription.objects.count() == 1


# The worker's messages --------------------------------------------------------------------------

def test_a_period_shared_by_two_municipalities_tells_each_address_once(place):
    flen = Municipality.objects.get(code="0482")
    period = make_period(place, published=False, reports=())
    period.municipalities.add(flen)
    period.police_area.municipalities.add(flen)
    confirmed("bada@example.se", place)
    confirmed("bada@example.se", flen)
    confirmed("bada@example.se")
    confirmed("flen@example.se", flen)

    with committed():
        publish(period, by=make_member("publisher", municipality=place))

    assert sorted(m.to[0] for m in mail.outbox) == ["bada@example.se", "flen@example.se"]
    assert "Katrineholm" in mail.outbox[0].subject and "Flen" in mail.outbox[0].subject


def test_a_draft_periods_report_announces_nothing(place):
    period = make_period(place, published=False, reports=())
    confirmed("anna@example.se", place)
    with committed():
        publish(period.tertial_reports.first(), by=make_member("publisher", municipality=place))
    assert mail.outbox == []


def test_a_send_that_keeps_failing_is_given_up_after_the_last_attempt(place, settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.FlakyBackend"}}
    FlakyBackend.refusals, FlakyBackend.attempts = {"*": 100}, []
    subscription = confirmed("anna@example.se", place)
    period = make_period(place, published=False, reports=())
    with committed():
        publish(period, by=make_member("publisher", municipality=place))

    assert FlakyBackend.attempts == ["anna@example.se"] * MAX_ATTEMPTS
    delivery = Delivery.objects.get(subscription=subscription)
    assert (delivery.status, delivery.attempts) == ("failed", MAX_ATTEMPTS)


def test_a_published_agreement_is_announced_to_its_municipalities(place):
    period = make_period(place, published=False, reports=())
    agreement = Agreement.objects.create(
        police_area=period.police_area, title="Samverkansöverenskommelse 2024–2027",
        valid_from="2024-01-01", valid_to="2027-12-31",
    )
    agreement.municipalities.add(place)
    confirmed("anna@example.se", place)
    confirmed("flen@example.se", Municipality.objects.get(code="0482"))
    with committed():
        publish(agreement, by=make_member("publisher", municipality=place))
    [message] = mail.outbox
    assert message.to == ["anna@example.se"]
    assert "Samverkansöverenskommelse 2024–2027" in message.subject
    assert f"/samverkan/{agreement.pk}/" in message.body


def test_prune_requeues_notices_a_stopped_worker_left_and_gives_up_half_sent_ones(place):
    period = make_period(place, published=False, reports=())
    waiting = confirmed("vantar@example.se", place)
    half_sent = confirmed("halvt@example.se", place)
    publish(period, by=make_member("publisher", municipality=place))  # its task never ran
    notice = Notice.objects.get(kind="period", object_id=period.pk)
    long_ago = timezone.now() - datetime.timedelta(days=1)
    Delivery.objects.create(notice=notice, subscription=waiting, updated_at=long_ago)
    Delivery.objects.create(
        notice=notice, subscription=half_sent, status="sending", updated_at=long_ago
    )
    with committed():
        call_command("prune_subscriptions", stdout=io.StringIO())
    assert [m.to for m in mail.outbox] == [["vantar@example.se"]]
    assert dict(Delivery.objects.values_list("subscription__email", "status")) == {
        "vantar@example.se": "sent", "halvt@example.se": "failed",
    }


# Retention and backups ----------------------------------------------------------------------

def test_prune_deletes_unconfirmed_addresses_after_seven_days_only(place):
    now = timezone.now()
    old = Subscription.objects.create(
        email="gammal@example.se", municipality=place, created_at=now - datetime.timedelta(days=8)
    )
    young = Subscription.objects.create(
        email="ung@example.se", municipality=place, created_at=now - datetime.timedelta(days=6)
    )
    kept = Subscription.objects.create(
        email="bekraftad@example.se", municipality=place,
        created_at=now - datetime.timedelta(days=300), confirmed_at=now,
    )
    out = io.StringIO()
    call_command("prune_subscriptions", stdout=out)
    assert set(Subscription.objects.values_list("pk", flat=True)) == {young.pk, kept.pk}
    assert not Subscription.objects.filter(pk=old.pk).exists()
    assert "1" in out.getvalue()


def test_backups_hold_no_subscribers_addresses(place, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    confirmed("hemlig@example.se", place)
    archive = tmp_path / "backup.tar.gz"
    call_command("backup", str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as tar:
        data = tar.extractfile("data.json").read().decode()
    assert "hemlig@example.se" not in data
    assert not any(row["model"].startswith("public.") for row in json.loads(data))


# Admin and privacy ----------------------------------------------------------------------------

def test_national_administrators_see_subscriptions_and_the_queue_and_no_coordinator_does(
    client, place
):
    subscription = confirmed("anna@example.se", place)
    changelist = reverse("admin:public_subscription_changelist")
    change = reverse("admin:public_subscription_change", args=[subscription.pk])

    tasks = reverse("admin:django_tasks_database_dbtaskresult_changelist")

    client.force_login(make_member("admin"))
    assert "anna@example.se" in client.get(changelist).content.decode()
    assert client.get(change).status_code == 200
    assert client.get(tasks).status_code == 200  # the queue, read-only

    for role in ("coordinator", "lead", "publisher", "reviewer"):
        client.force_login(make_member(role, municipality=place))
        assert client.get(changelist).status_code == 403
        assert client.get(change).status_code == 403
        assert client.get(tasks).status_code == 403
        assert "anna@example.se" not in client.get(reverse("admin:index")).content.decode()
        assert changelist not in client.get(reverse("admin:index")).content.decode()


def test_deleting_in_the_admin_leaves_no_address_in_its_log(client, place):
    subscription = confirmed("anna@example.se", place)
    client.force_login(make_member("admin"))
    response = client.post(
        reverse("admin:public_subscription_delete", args=[subscription.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Subscription.objects.exists()
    assert LogEntry.objects.exists()
    assert not any("anna" in entry.object_repr for entry in LogEntry.objects.all())


def test_the_privacy_page_names_the_operator_and_is_linked_from_every_page(client, settings):
    settings.PORTAL_OPERATOR = "Exempelkommunernas förbund"
    settings.PRIVACY_CONTROLLER = "Exempelstads kommun"
    settings.PORTAL_CONTACT_EMAIL = "dataskydd@example.se"
    page = client.get(reverse("public:privacy")).content.decode()
    for text in ("Exempelkommunernas förbund", "Exempelstads kommun", "dataskydd@example.se"):
        assert text in page
    home = client.get(reverse("public:home")).content.decode()
    assert f'href="{reverse("public:privacy")}"' in home


def test_the_deploy_check_asks_for_the_operator_the_privacy_page_names(settings):
    settings.PORTAL_OPERATOR = settings.PORTAL_CONTACT_EMAIL = settings.PRIVACY_CONTROLLER = ""
    out = io.StringIO()
    call_command("check", "--deploy", "--tag", "security", stdout=out, stderr=out)
    assert "public.W001" in out.getvalue()
    settings.PORTAL_OPERATOR = settings.PRIVACY_CONTROLLER = "Exempelkommunernas förbund"
    settings.PORTAL_CONTACT_EMAIL = "dataskydd@example.se"
    out = io.StringIO()
    call_command("check", "--deploy", "--tag", "security", stdout=out, stderr=out)
    assert "public.W001" not in out.getvalue()
