"""Publishing: periods and tertial reports go public through services that stamp the time,
write history and the audit log; tertial follow-up is public only with its report."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from followup.models import FollowUp, TertialReport
from followup.services import (
    FollowUpInput, publish_tertial_report, save_tertial_followups, unpublish_tertial_report,
)
from followup.tertials import Tertial
from municipalities.models import AuditEvent
from promises.models import Activity, PromisePeriod
from promises.services import publish_period, unpublish_period
from tests.factories import make_member


@pytest.fixture
def period(katrineholm):
    return katrineholm[2022]


@pytest.fixture
def publisher(period):
    return make_member("publisher", municipality=period.municipality)


def test_unpublish_then_publish_stamps_time_history_and_audit(period, publisher):
    unpublish_period(period, by=publisher, reason="Felaktig lägesbild")
    period.refresh_from_db()
    assert period.status == "draft"
    assert period.unpublished_reason == "Felaktig lägesbild"
    assert period.published_at is None
    assert not PromisePeriod.objects.published().filter(pk=period.pk).exists()

    publish_period(period, by=publisher)
    period.refresh_from_db()
    assert period.status == "published" and period.published_at is not None
    assert period.unpublished_reason == ""
    assert period.version == 3
    latest = period.history.first()
    assert latest.history_user == publisher and latest.status == "published"
    actions = list(AuditEvent.objects.order_by("at").values_list("action", "username"))
    assert actions[-2:] == [("unpublished", publisher.username), ("published", publisher.username)]
    assert AuditEvent.objects.get(action="unpublished").details["reason"] == "Felaktig lägesbild"


def test_unpublishing_without_a_reason_is_refused(period, publisher):
    with pytest.raises(ValidationError):
        unpublish_period(period, by=publisher, reason="   ")
    period.refresh_from_db()
    assert period.status == "published"
    assert not AuditEvent.objects.filter(action="unpublished").exists()


def test_publishing_twice_is_refused(period, publisher):
    with pytest.raises(ValidationError):
        publish_period(period, by=publisher)


def test_followup_is_public_only_once_its_tertial_report_is(katrineholm):
    period = katrineholm[2022]
    coordinator = make_member("coordinator", municipality=period.municipality)
    publisher = make_member("publisher", municipality=period.municipality)
    activity = Activity.objects.create(promise=period.promises.first(), text="Trygghetsvandring")
    save_tertial_followups(
        period=period, tertial=Tertial(2022, 1), by=coordinator, measurements=[],
        followups=[FollowUpInput(activity.pk, "ongoing", "Halvfärdig text", "Namn", None)],
    )
    assert not FollowUp.objects.public().filter(activity=activity).exists()

    report = TertialReport.objects.create(period=period, year=2022, tertial=1)
    publish_tertial_report(report, by=publisher)
    assert FollowUp.objects.public().filter(activity=activity).exists()
    assert AuditEvent.objects.filter(action="published", username=publisher.username).exists()

    # A correction after publication is public at once, and in history.
    followup = FollowUp.objects.get(activity=activity)
    save_tertial_followups(
        period=period, tertial=Tertial(2022, 1), by=coordinator, measurements=[],
        followups=[FollowUpInput(activity.pk, "ongoing", "Rättad text", "Namn",
                                 followup.version)],
    )
    assert FollowUp.objects.public().get(activity=activity).account == "Rättad text"
    assert [h.account for h in followup.history.order_by("history_date")] == [
        "Halvfärdig text", "Rättad text",
    ]

    unpublish_tertial_report(report, by=publisher, reason="Fel siffror")
    assert not FollowUp.objects.public().filter(activity=activity).exists()


def test_publish_button_on_the_period_change_page(period, publisher):
    unpublish_period(period, by=publisher, reason="Omarbetas")
    client = Client()
    client.force_login(publisher)
    url = reverse("admin:promises_promiseperiod_change", args=[period.pk])
    page = client.get(url).content.decode()
    assert "publish_periods" in page
    response = client.post(url, {
        "CHANGE_FORM-action": "publish_periods", "_selected_action": [period.pk],
    })
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.status == "published"


def test_coordinator_cannot_change_status_through_the_form(period):
    coordinator = make_member("coordinator", municipality=period.municipality)
    client = Client()
    client.force_login(coordinator)
    page = client.get(reverse("admin:promises_promiseperiod_change", args=[period.pk]))
    assert 'name="status"' not in page.content.decode()
    assert "publish_periods" not in page.content.decode()


def test_publisher_publishes_a_tertial_report_from_the_screen(period, publisher):
    client = Client()
    client.force_login(publisher)
    url = reverse("admin:followup_tertial_publish", args=[period.pk, 2022, 3])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    report = TertialReport.objects.get(period=period, year=2022, tertial=3)
    assert report.is_published and report.published_at is not None
    assert report.history.first().history_user == publisher
