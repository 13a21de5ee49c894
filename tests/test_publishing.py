"""Publishing: periods, agreements and tertial reports go public and are withdrawn only
through promises/publishing.py (`publish`, `unpublish`), which stamp the time and write the
history and the audit log; the admin's actions and the tertial screen call them; tertial
follow-up is public only with its published report."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from followup.models import FollowUp, TertialReport
from followup.services import FollowUpInput, save_tertial_followups, tertial_report_for
from followup.tertials import Tertial
from municipalities.models import AuditEvent
from promises.models import Activity, PromisePeriod
from promises.publishing import publish, unpublish
from tests.factories import form_fields, make_member


@pytest.fixture
def period(katrineholm, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # publishing a report stores its PDF
    return katrineholm[2022]


@pytest.fixture
def publisher(period):
    return make_member("publisher", municipality=period.municipalities.get())


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_unpublish_then_publish_stamps_time_history_and_audit(period, publisher):
    version = period.version
    withdrawn = unpublish(period, by=publisher, reason="Felaktig lägesbild")
    period.refresh_from_db()
    assert withdrawn.pk == period.pk
    assert period.status == "draft" and period.published_at is None
    assert period.unpublished_reason == "Felaktig lägesbild"
    assert period.unpublished_at is not None
    assert not PromisePeriod.objects.published().filter(pk=period.pk).exists()

    publish(period, by=publisher)
    period.refresh_from_db()
    assert period.status == "published" and period.published_at is not None
    assert period.unpublished_reason == "" and period.unpublished_at is None
    assert period.version == version + 2
    latest = period.history.first()
    assert latest.history_user == publisher and latest.status == "published"
    events = list(AuditEvent.objects.filter(username=publisher.username)
                  .order_by("at", "pk").values_list("action", flat=True))
    assert events[-2:] == ["unpublished", "published"]
    assert AuditEvent.objects.get(action="unpublished").details["reason"] == (
        "Felaktig lägesbild")


def test_unpublishing_without_a_reason_is_refused_and_nothing_is_logged(period, publisher):
    with pytest.raises(ValidationError):
        unpublish(period, by=publisher, reason="   ")
    period.refresh_from_db()
    assert period.status == "published"
    assert not AuditEvent.objects.filter(action="unpublished").exists()


def test_publishing_what_is_published_and_unpublishing_a_draft_are_refused(
    period, publisher
):
    with pytest.raises(ValidationError):
        publish(period, by=publisher)
    report = tertial_report_for(period, Tertial(2022, 1))
    with pytest.raises(ValidationError):
        unpublish(report, by=publisher, reason="Fel")
    assert not AuditEvent.objects.filter(action__in=["published", "unpublished"]).exists()


def save_account(period, tertial, activity, account, *, by, loaded_version=None):
    row = FollowUpInput(
        kind="activity", subject_id=activity.pk, status="ongoing", account=account,
        value=None, internal_note="Namn på en anmälare", loaded_version=loaded_version,
    )
    return save_tertial_followups(period=period, tertial=tertial, rows=[row],
                                  subjects={row.key: activity}, by=by)


def test_followup_is_public_only_once_its_tertial_report_is(period, publisher):
    municipality = period.municipalities.get()
    coordinator = make_member("coordinator", municipality=municipality)
    activity = Activity.objects.create(promise=period.promises.first(),
                                       text="Trygghetsvandring")
    tertial = Tertial(2022, 1)
    assert save_account(period, tertial, activity, "Halvfärdig text", by=coordinator) == 1
    assert not FollowUp.objects.public().filter(activity=activity).exists()

    report = tertial_report_for(period, tertial)
    publish(report, by=publisher)
    public = FollowUp.objects.public().get(activity=activity)
    assert public.account == "Halvfärdig text" and public.corrected_at is None
    assert AuditEvent.objects.filter(action="published", username=publisher.username).exists()

    # A correction after publication is public at once, marked, and in the history.
    save_account(period, tertial, activity, "Rättad text", by=coordinator,
                 loaded_version=public.version)
    corrected = FollowUp.objects.public().get(activity=activity)
    assert corrected.account == "Rättad text" and corrected.corrected_at is not None
    assert "Rättad text" in corrected.correction
    assert [h.account for h in corrected.history.order_by("history_date")] == [
        "Halvfärdig text", "Rättad text",
    ]

    unpublish(report, by=publisher, reason="Fel siffror")
    assert not FollowUp.objects.public().filter(activity=activity).exists()


def test_a_published_report_of_a_withdrawn_period_makes_nothing_public(period, publisher):
    coordinator = make_member("coordinator", municipality=period.municipalities.get())
    activity = Activity.objects.create(promise=period.promises.first(), text="Föräldravandring")
    save_account(period, Tertial(2022, 2), activity, "Klart", by=coordinator)
    report = tertial_report_for(period, Tertial(2022, 2))
    publish(report, by=publisher)
    assert FollowUp.objects.public().filter(activity=activity, tertial=2).exists()
    unpublish(period, by=publisher, reason="Omarbetas")
    assert not FollowUp.objects.public().filter(promise__period=period).exists()
    assert Client().get(f"/medborgarloften/{period.pk}/2022/tertial-2/").status_code == 404


def test_publisher_publishes_from_the_period_change_page(period, publisher):
    unpublish(period, by=publisher, reason="Omarbetas")
    client = client_for(publisher)
    url = reverse("admin:promises_promiseperiod_change", args=[period.pk])
    page = client.get(url).content.decode()
    assert 'value="publish_selected"' in page
    response = client.post(url, {
        "CHANGE_FORM-action": "publish_selected", "_selected_action": [period.pk],
    })
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.is_published
    assert period.history.first().history_user == publisher


def test_unpublishing_in_the_admin_asks_for_a_reason(period, publisher):
    client = client_for(publisher)
    url = reverse("admin:promises_promiseperiod_changelist")
    page = client.post(url, {
        "action": "unpublish_selected", "_selected_action": [period.pk], "index": 0,
    })
    assert page.status_code == 200
    assert 'name="reason"' in page.content.decode()
    blank = client.post(url, {
        "action": "unpublish_selected", "_selected_action": [period.pk], "confirm": "yes",
        "reason": "  ",
    })
    assert blank.status_code == 400
    period.refresh_from_db()
    assert period.is_published

    given = client.post(url, {
        "action": "unpublish_selected", "_selected_action": [period.pk], "confirm": "yes",
        "reason": "Felaktiga uppgifter",
    })
    assert given.status_code == 302
    period.refresh_from_db()
    assert period.was_withdrawn and period.unpublished_reason == "Felaktiga uppgifter"
    event = AuditEvent.objects.get(action="unpublished")
    assert event.username == publisher.username
    assert event.details["reason"] == "Felaktiga uppgifter"


def test_the_tertial_report_actions_publish_and_withdraw(period, publisher):
    report = tertial_report_for(period, Tertial(2022, 3))
    client = client_for(publisher)
    url = reverse("admin:followup_tertialreport_changelist")
    response = client.post(url, {
        "action": "publish_selected", "_selected_action": [report.pk], "index": 0,
    })
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.is_published and report.history.first().history_user == publisher
    response = client.post(url, {
        "action": "unpublish_selected", "_selected_action": [report.pk], "confirm": "yes",
        "reason": "Dubblett",
    })
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.was_withdrawn and report.unpublished_reason == "Dubblett"


def test_coordinator_cannot_change_publication_through_the_form(period):
    coordinator = make_member("coordinator", municipality=period.municipalities.get())
    client = client_for(coordinator)
    url = reverse("admin:promises_promiseperiod_change", args=[period.pk])
    page = client.get(url).content.decode()
    assert 'name="status"' not in page
    assert "publish_selected" not in page
    data = form_fields(page, "promiseperiod_form")
    data.update({"status": ["draft"], "unpublished_reason": ["Smyg"], "_save": ["Spara"]})
    assert client.post(url, data).status_code == 302  # saved, but not its state
    period.refresh_from_db()
    assert period.is_published and period.unpublished_reason == ""
    # The page offers them no action, so this is an (incomplete) form, shown again.
    response = client.post(url, {
        "CHANGE_FORM-action": "unpublish_selected", "_selected_action": [period.pk],
        "confirm": "yes", "reason": "Smyg",
    })
    assert response.status_code == 200
    period.refresh_from_db()
    assert period.is_published


def test_publisher_publishes_a_tertial_report_from_the_screen(period, publisher):
    client = client_for(publisher)
    url = reverse("admin:followup_tertial_publish", args=[period.pk, 2022, 3])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 302
    report = TertialReport.objects.get(period=period, year=2022, tertial=3)
    assert report.is_published and report.published_at is not None
    assert report.history.first().history_user == publisher
    # Publishing it again is refused with a message, not an error.
    response = client.post(url)
    assert response.status_code == 302
    assert TertialReport.objects.get(pk=report.pk).published_at == report.published_at
