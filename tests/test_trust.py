"""Publishing and editing people can trust: publication state changes only by publishing,
nothing published is deleted unannounced, no edit is silently lost (for every writer), and
corrections after publication are public but marked."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse

from followup.models import FollowUp, TertialReport
from municipalities.models import AuditEvent
from municipalities.versioning import EditConflict
from promises.models import Activity, Promise, PromisePeriod
from promises.publishing import publish, unpublish
from tests.members import form_fields, make_member


@pytest.fixture
def period(katrineholm):
    return katrineholm[2018]


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def revert_form(client, url):
    """The fields of the history revert form, as a browser would submit them."""
    page = client.get(url).content.decode()
    data = form_fields(page, re.search(r'<form[^>]*id="([^"]+_form)"', page).group(1))
    data["_save"] = ["Spara"]
    return data


def coordinator_of(period, username="samordnare"):
    return make_member("coordinator", municipality=period.municipalities.first(),
                       username=username)


def test_restoring_a_published_version_does_not_republish_a_withdrawn_report(period):
    report = TertialReport.objects.get(period=period, year=2018, tertial=3)
    published_version = report.history.filter(status="published").latest("history_date")
    unpublish(report, by=None, reason="Fel siffror")
    coordinator = client_for(coordinator_of(period))
    url = f"/admin/followup/tertialreport/{report.pk}/history/{published_version.history_id}/"
    response = coordinator.post(url, revert_form(coordinator, url))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "draft" and report.unpublished_reason == "Fel siffror"
    assert Client().get(f"/medborgarloften/{period.pk}/2018/tertial-3/").status_code == 404
    restored = AuditEvent.objects.filter(action=AuditEvent.Action.RESTORED).latest("at")
    assert restored.details["history_id"] == published_version.history_id
    assert "changed" in restored.details


def test_restoring_a_draft_version_does_not_unpublish_a_period(period):
    draft = PromisePeriod.history.create(
        id=period.pk, title=period.title, valid_from=period.valid_from,
        valid_to=period.valid_to, police_area=period.police_area, status="draft",
        history_type="~", history_date=period.updated_at, version=period.version,
        updated_at=period.updated_at, created_at=period.created_at,
        content_changed_at=period.content_changed_at,
    )
    coordinator = client_for(coordinator_of(period))
    url = f"/admin/promises/promiseperiod/{period.pk}/history/{draft.history_id}/"
    assert coordinator.post(url, revert_form(coordinator, url)).status_code == 302
    period.refresh_from_db()
    assert period.is_published
    with pytest.raises(ValidationError), transaction.atomic():
        period.delete()


def test_a_form_or_a_plain_save_cannot_change_publication_state(period):
    period.status = "draft"
    period.save()
    period.refresh_from_db()
    assert period.is_published


def test_published_report_and_period_are_not_deleted_and_deletions_are_audited(period):
    report = TertialReport.objects.get(period=period, year=2018, tertial=3)
    # Each in its own savepoint: a refused deletion rolls back what it started.
    with pytest.raises(ValidationError), transaction.atomic():
        report.delete()
    with pytest.raises(ValidationError), transaction.atomic():
        TertialReport.objects.filter(pk=report.pk).delete()
    with pytest.raises(ValidationError), transaction.atomic():
        Promise.objects.filter(period=period).first().delete()
    coordinator = client_for(coordinator_of(period))
    page = coordinator.get(f"/admin/followup/tertialreport/{report.pk}/delete/")
    assert page.status_code == 403
    assert TertialReport.objects.filter(pk=report.pk).exists()

    report = unpublish(report, by=None, reason="Dubblett")
    report.delete()
    event = AuditEvent.objects.filter(action=AuditEvent.Action.DELETED).latest("at")
    assert event.details["model"] == "followup.TertialReport"


def test_unpublishing_keeps_the_reason_on_periods_and_reports_alike(period):
    report = TertialReport.objects.get(period=period, year=2018, tertial=3)
    for obj in (report, period):
        withdrawn = unpublish(obj, by=None, reason="Felaktiga uppgifter")
        assert withdrawn.unpublished_reason == "Felaktiga uppgifter"
        assert withdrawn.unpublished_at is not None
        republished = publish(withdrawn, by=None)
        assert republished.is_published and republished.unpublished_reason == ""


@pytest.mark.parametrize("model", [PromisePeriod, Promise, Activity, FollowUp, TertialReport])
def test_a_save_over_a_newer_version_is_refused_for_every_writer(period, model):
    rows = {
        PromisePeriod: lambda: PromisePeriod.objects.get(pk=period.pk),
        Promise: lambda: Promise.objects.filter(period=period).first(),
        Activity: lambda: Activity.objects.filter(promise__period=period).first(),
        FollowUp: lambda: FollowUp.objects.filter(promise__period=period).first(),
        TertialReport: lambda: TertialReport.objects.filter(period=period).first(),
    }
    first, second = rows[model](), rows[model]()
    first.save()
    with pytest.raises(EditConflict):
        second.save()


def test_saving_the_period_form_does_not_revert_a_promise_changed_meanwhile(period):
    anna = client_for(coordinator_of(period, "anna"))
    url = f"/admin/promises/promiseperiod/{period.pk}/change/"
    form = form_fields(anna.get(url).content.decode(), "promiseperiod_form")
    promise = Promise.objects.filter(period=period).order_by("order").first()
    promise.text = "Bos nya formulering"
    promise.save()
    form["_save"] = ["Spara"]
    response = anna.post(url, form)
    assert response.status_code == 200  # shown again with the conflict
    assert "Bos nya formulering" in response.content.decode()
    promise.refresh_from_db()
    assert promise.text == "Bos nya formulering"


def test_a_correction_after_publication_is_public_at_once_and_marked(period):
    coordinator = client_for(coordinator_of(period))
    url = reverse("admin:followup_tertial", args=[period.pk, 2018, 3])
    activity = Activity.objects.filter(promise__period=period).order_by(
        "promise__order", "order").first()
    form = form_fields(coordinator.get(url).content.decode(), "tertial-form")
    form[f"a{activity.pk}-account"] = ["Rättad redovisning"]
    assert coordinator.post(url, form).status_code == 302
    followup = FollowUp.objects.get(activity=activity, year=2018, tertial=3)
    assert followup.corrected_at is not None
    assert "Rättad redovisning" in followup.correction
    page = Client().get(f"/medborgarloften/{period.pk}/").content.decode()
    assert "Rättad redovisning" in page
    assert followup.corrected_at.strftime("%Y") in page


def test_a_published_reports_period_year_and_tertial_cannot_be_moved(period):
    report = TertialReport.objects.get(period=period, year=2018, tertial=3)
    report.tertial = 2
    with pytest.raises(ValidationError):
        report.full_clean()
