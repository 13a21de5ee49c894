"""Both parties approve before publication (promises/approval.py): a period or a tertial
report goes public only when a publisher of the municipality and one of the police area
have approved the same version; one person never approves for both; a change between the
approvals withdraws the first; either party unpublishes alone; the other party is asked by
e-mail through the worker; the admin and the audit log show who approved what; with
PORTAL_DUAL_APPROVAL off one publisher publishes, as before."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from followup.models import FollowUp, TertialReport, TertialReportApproval
from municipalities.models import AuditEvent, Municipality
from promises.models import PeriodApproval, PromisePeriod
from promises.publishing import approve, publish, unpublish
from tests.factories import form_fields, make_member, make_period
from tests.mail_backends import FlakyBackend

both_parties = override_settings(PORTAL_DUAL_APPROVAL=True)


@pytest.fixture
def place(db):
    return Municipality.objects.get(code="0483")


@pytest.fixture
def period(place, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # a published report gets its PDF
    return make_period(place, published=False, reports=())


@pytest.fixture
def municipal_publisher(place):
    return make_member("publisher", municipality=place, username="kommunens-publicerare",
                       email="kommun@example.se")


@pytest.fixture
def police_publisher(period):
    return make_member("publisher", police_area=period.police_area,
                       username="polisens-publicerare", email="polis@example.se")


def fresh(obj):
    return type(obj)._base_manager.get(pk=obj.pk)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def refused(code, service, *args, **kwargs):
    """Whether the service refused with this error code (its text is translated)."""
    with pytest.raises(ValidationError) as refusal:
        service(*args, **kwargs)
    return refusal.value.code == code


def approvals_in_audit_log():
    return list(AuditEvent.objects.filter(action="approved").order_by("at", "pk").values_list(
        "username", "details__party"))


# The rule ---------------------------------------------------------------------------------------

@both_parties
@pytest.mark.parametrize("kind", ["period", "report"])
def test_one_party_does_not_publish_and_the_second_does(
    kind, period, municipal_publisher, police_publisher
):
    row = period if kind == "period" else TertialReport.objects.get(
        period=period, year=2024, tertial=1)
    if kind == "report":
        PromisePeriod.objects.filter(pk=period.pk).update(status="published",
                                                           published_at=period.created_at)

    after_first = approve(row, by=municipal_publisher)
    assert not after_first.is_published and not fresh(row).is_published
    assert [a.side for a in row.approvals.all()] == ["municipality"]
    # Publishing directly is refused while the police have not approved.
    assert refused("approval_missing", publish, fresh(row), by=municipal_publisher)

    published = approve(fresh(row), by=police_publisher)
    assert published.is_published and fresh(row).is_published
    assert approvals_in_audit_log() == [
        ("kommunens-publicerare", "municipality"), ("polisens-publicerare", "police"),
    ]
    published_event = AuditEvent.objects.get(action="published")
    assert published_event.username == "polisens-publicerare"
    with pytest.raises(ValidationError):
        approve(fresh(row), by=municipal_publisher)  # published already


@both_parties
def test_the_police_may_approve_first(period, municipal_publisher, police_publisher):
    approve(period, by=police_publisher)
    assert not fresh(period).is_published
    assert approve(fresh(period), by=municipal_publisher).is_published


@both_parties
def test_one_person_holding_both_roles_approves_for_one_party_only(period, place):
    both = make_member("publisher", municipality=place, username="bada-rollerna")
    make_member("publisher", police_area=period.police_area, username="bada-rollerna")
    approve(period, by=both)
    assert refused("approved_already", approve, fresh(period), by=both)
    assert not fresh(period).is_published
    assert period.approvals.count() == 1
    assert len(approvals_in_audit_log()) == 1


@both_parties
def test_a_second_publisher_of_the_same_party_does_not_publish(
    period, place, municipal_publisher
):
    colleague = make_member("publisher", municipality=place, username="kollegan")
    approve(period, by=municipal_publisher)
    assert refused("party_approved_already", approve, fresh(period), by=colleague)
    assert not fresh(period).is_published


@both_parties
@pytest.mark.parametrize("who", ["admin", "coordinator", "other publisher", "superuser"])
def test_only_a_publisher_of_a_party_approves(period, who, django_user_model):
    user = {
        "superuser": lambda: django_user_model.objects.create_superuser(
            "root", "root@example.org", "x" * 16),
        "admin": lambda: make_member("admin", username="nationell"),
        "coordinator": lambda: make_member(
            "coordinator", municipality=period.municipalities.get()),
        "other publisher": lambda: make_member(
            "publisher", municipality=Municipality.objects.get(code="0482")),
    }[who]()
    # Django says yes to a superuser before any rule is asked; the service asks the parties.
    assert user.has_perm("promises.approve_promiseperiod", period) is (who == "superuser")
    assert refused("not_a_party", approve, period, by=user)
    assert not period.approvals.exists()


# A change withdraws an approval -----------------------------------------------------------------

@both_parties
def test_a_change_to_the_period_between_the_approvals_withdraws_the_first(
    period, municipal_publisher, police_publisher
):
    approve(period, by=municipal_publisher)
    changed = fresh(period)
    changed.title = "Ändrad efter godkännandet"
    changed.save()

    after = approve(fresh(period), by=police_publisher)
    assert not after.is_published
    # The municipality's approval was of the old version: it approves again, and that
    # publishes.
    assert approve(fresh(period), by=municipal_publisher).is_published


@both_parties
def test_a_change_to_a_promise_between_the_approvals_withdraws_the_first(
    period, municipal_publisher, police_publisher
):
    approve(period, by=municipal_publisher)
    promise = period.promises.first()
    promise.text = "Ett annat löfte"
    promise.save()
    assert not approve(fresh(period), by=police_publisher).is_published
    assert approve(fresh(period), by=municipal_publisher).is_published


@both_parties
def test_a_change_to_the_tertials_follow_up_withdraws_an_approval_of_its_report(
    period, municipal_publisher, police_publisher
):
    report = TertialReport.objects.get(period=period, year=2024, tertial=2)
    other_tertial = TertialReport.objects.get(period=period, year=2024, tertial=3)
    approve(report, by=municipal_publisher)
    approve(other_tertial, by=municipal_publisher)
    followup = FollowUp.objects.filter(promise__period=period, year=2024, tertial=2).first()
    followup.account = "Rättat efter godkännandet"
    followup.save()

    assert not approve(fresh(report), by=police_publisher).is_published
    # Another tertial's follow-up did not change: its approval still counts.
    assert approve(fresh(other_tertial), by=police_publisher).is_published


@both_parties
def test_a_save_on_the_tertial_screen_withdraws_an_approval_of_its_report(
    period, place, municipal_publisher, police_publisher
):
    report = TertialReport.objects.get(period=period, year=2024, tertial=2)
    approve(report, by=municipal_publisher)
    client = client_for(make_member("coordinator", municipality=place))
    screen = reverse("admin:followup_tertial", args=[period.pk, 2024, 2])
    data = form_fields(client.get(screen).content.decode(), "tertial-form")
    account = sorted(name for name in data if name.endswith("-account"))[0]
    data[account] = ["Ändrat på tertialskärmen efter godkännandet"]
    assert client.post(screen, data).status_code == 302
    assert FollowUp.objects.filter(
        account="Ändrat på tertialskärmen efter godkännandet").exists()

    assert not approve(fresh(report), by=police_publisher).is_published
    assert approve(fresh(report), by=municipal_publisher).is_published


@both_parties
def test_an_approval_of_a_version_the_approver_did_not_see_is_refused(
    period, municipal_publisher
):
    seen = fresh(period)
    changed = fresh(period)
    changed.title = "Ändrad medan sidan var öppen"
    changed.save()
    assert refused("changed", approve, seen, by=municipal_publisher)
    assert not period.approvals.exists()


# Unpublishing ----------------------------------------------------------------------------------

@both_parties
@pytest.mark.parametrize("party", ["municipality", "police"])
def test_either_party_unpublishes_alone_with_a_reason_and_both_approve_again(
    party, period, municipal_publisher, police_publisher
):
    approve(period, by=municipal_publisher)
    approve(fresh(period), by=police_publisher)
    withdrawer = municipal_publisher if party == "municipality" else police_publisher
    client = client_for(withdrawer)
    url = reverse("admin:promises_promiseperiod_changelist")
    response = client.post(url, {
        "action": "unpublish_selected", "_selected_action": [period.pk], "confirm": "yes",
        "reason": "Fel i lägesbilden",
    })
    assert response.status_code == 302
    withdrawn = fresh(period)
    assert withdrawn.was_withdrawn and withdrawn.unpublished_reason == "Fel i lägesbilden"
    with pytest.raises(ValidationError):
        unpublish(withdrawn, by=withdrawer, reason="")

    # The approvals were of the published version: publishing again takes both anew.
    assert not approve(withdrawn, by=municipal_publisher).is_published
    assert approve(fresh(period), by=police_publisher).is_published


# The setting -----------------------------------------------------------------------------------

def test_with_dual_approval_off_one_publisher_publishes(period, municipal_publisher):
    with override_settings(PORTAL_DUAL_APPROVAL=False):
        assert publish(period, by=municipal_publisher).is_published
        unpublish(fresh(period), by=municipal_publisher, reason="Omarbetas")
        assert approve(fresh(period), by=municipal_publisher).is_published
        client = client_for(municipal_publisher)
        page = client.get(reverse("admin:promises_promiseperiod_change", args=[period.pk]))
        assert 'value="publish_selected"' in page.content.decode()
        assert 'value="approve_selected"' not in page.content.decode()
    assert not period.approvals.exists()


def test_dual_approval_is_on_unless_the_environment_turns_it_off(settings_from_environment):
    assert settings_from_environment(DJANGO_DEBUG="1").PORTAL_DUAL_APPROVAL is True
    assert settings_from_environment(
        DJANGO_DEBUG="1", PORTAL_DUAL_APPROVAL="0").PORTAL_DUAL_APPROVAL is False


# The admin and the tertial screen --------------------------------------------------------------

@both_parties
def test_the_admin_approves_from_the_change_page_and_shows_who_approved(
    period, municipal_publisher, police_publisher
):
    url = reverse("admin:promises_promiseperiod_change", args=[period.pk])
    client = client_for(municipal_publisher)
    page = client.get(url).content.decode()
    assert 'value="approve_selected"' in page
    assert 'value="publish_selected"' not in page
    assert "No approvals yet." in page or "Inga godkännanden" in page

    response = client.post(url, {
        "CHANGE_FORM-action": "approve_selected", "_selected_action": [period.pk],
    })
    assert response.status_code == 302
    assert not fresh(period).is_published

    page = client_for(police_publisher).get(url).content.decode()
    assert "kommunens-publicerare" in page
    listing = client.get(reverse("admin:promises_promiseperiod_changelist")).content.decode()
    assert "✓" in listing

    response = client_for(police_publisher).post(url, {
        "CHANGE_FORM-action": "approve_selected", "_selected_action": [period.pk],
    })
    assert response.status_code == 302
    assert fresh(period).is_published


@both_parties
def test_the_tertial_report_admin_lists_and_shows_approvals(
    period, municipal_publisher
):
    report = TertialReport.objects.get(period=period, year=2024, tertial=1)
    approve(report, by=municipal_publisher)
    client = client_for(municipal_publisher)
    listing = client.get(reverse("admin:followup_tertialreport_changelist")).content.decode()
    assert "✓" in listing
    page = client.get(
        reverse("admin:followup_tertialreport_change", args=[report.pk])).content.decode()
    assert "kommunens-publicerare" in page


@both_parties
def test_the_tertial_screen_approves_for_the_users_party(
    period, municipal_publisher, police_publisher
):
    PromisePeriod.objects.filter(pk=period.pk).update(status="published",
                                                       published_at=period.created_at)
    screen = reverse("admin:followup_tertial", args=[period.pk, 2024, 2])
    publish_url = reverse("admin:followup_tertial_publish", args=[period.pk, 2024, 2])
    client = client_for(municipal_publisher)
    assert publish_url in client.get(screen).content.decode()
    assert client.post(publish_url).status_code == 302
    report = TertialReport.objects.get(period=period, year=2024, tertial=2)
    assert not report.is_published
    # The same person again: refused with a message, nothing changes.
    client.post(publish_url)
    assert report.approvals.count() == 1

    assert client_for(police_publisher).post(publish_url).status_code == 302
    assert fresh(report).is_published


@both_parties
def test_a_national_administrator_is_not_offered_approval(period):
    admin_user = make_member("admin", username="nationell")
    client = client_for(admin_user)
    page = client.get(
        reverse("admin:promises_promiseperiod_change", args=[period.pk])).content.decode()
    assert 'value="approve_selected"' not in page
    assert 'value="publish_selected"' not in page
    assert 'value="unpublish_selected"' in page  # they may still withdraw


def test_the_approval_models_refuse_a_second_approval_of_one_party_in_the_database(
    period, municipal_publisher, police_publisher
):
    from django.db import IntegrityError, transaction

    fields = {"period": period, "version": period.version, "content_mark": "x"}
    PeriodApproval.objects.create(side="municipality", user=municipal_publisher,
                                  username="a", **fields)
    with transaction.atomic(), pytest.raises(IntegrityError):
        PeriodApproval.objects.create(side="municipality", user=police_publisher,
                                      username="b", **fields)
    with transaction.atomic(), pytest.raises(IntegrityError):
        PeriodApproval.objects.create(side="police", user=municipal_publisher,
                                      username="a", **fields)
    assert TertialReportApproval._meta.constraints  # the same for reports


# The e-mail to the other party, through the worker --------------------------------------------

def mail_tasks():
    """The queue without the build of the national files that every change of public data
    queues as well (tests/test_national_exports_stored.py)."""
    return DBTaskResult.objects.exclude(task_path="public.tasks.build_national_files")


@pytest.fixture
def flaky_mail(settings):
    settings.MAILERS = {"default": {"BACKEND": "tests.mail_backends.FlakyBackend"}}
    FlakyBackend.refusals, FlakyBackend.attempts = {}, []
    yield FlakyBackend
    FlakyBackend.refusals, FlakyBackend.attempts = {}, []


@both_parties
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_other_partys_publishers_are_asked_by_email_through_the_worker(
    period, place, municipal_publisher, police_publisher, run_worker, flaky_mail
):
    colleague = make_member("publisher", police_area=period.police_area,
                            username="polisens-andra", email="polis2@example.se")
    make_member("publisher", municipality=place, username="kommunens-andra",
                email="kommun2@example.se")
    make_member("coordinator", police_area=period.police_area, username="samordnaren",
                email="samordnare@example.se")
    make_member("publisher", municipality=Municipality.objects.get(code="0482"),
                username="flens", email="flen@example.se")
    flaky_mail.refusals = {"polis2@example.se": 1}

    client_for(municipal_publisher).post(
        reverse("admin:promises_promiseperiod_change", args=[period.pk]),
        {"CHANGE_FORM-action": "approve_selected", "_selected_action": [period.pk]},
    )
    # The approver's request only queued the work.
    assert mail.outbox == []
    assert list(mail_tasks().filter(status="READY").values_list(
        "task_path", flat=True)) == ["promises.tasks.ask_for_approval"]
    run_worker()

    # Only the police area's publishers are asked; one message each.
    assert [m.to for m in mail.outbox] == [["polis@example.se"]]
    message = mail.outbox[0]
    assert period.title in message.subject
    assert "kommunens-publicerare" in message.body
    assert f"/admin/promises/promiseperiod/{period.pk}/change/" in message.body
    # The one the mail server refused is asked when the retry runs; nobody twice.
    mail_tasks().filter(status="READY").update(run_after=period.created_at)
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["polis2@example.se", "polis@example.se"]
    assert colleague.email in flaky_mail.attempts


@both_parties
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_request_for_a_version_changed_before_the_worker_runs_is_dropped(
    period, municipal_publisher, police_publisher, run_worker, settings
):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    client_for(municipal_publisher).post(
        reverse("admin:promises_promiseperiod_changelist"),
        {"action": "approve_selected", "_selected_action": [period.pk], "index": 0},
    )
    changed = fresh(period)
    changed.title = "Ändrad innan brevet gick"
    changed.save()
    run_worker()
    assert mail.outbox == []
    assert set(mail_tasks().values_list("status", flat=True)) == {"SUCCESSFUL"}


@both_parties
def test_the_form_shows_approvals_read_only(period, municipal_publisher):
    approve(period, by=municipal_publisher)
    coordinator = make_member("coordinator", municipality=period.municipalities.get())
    client = client_for(coordinator)
    url = reverse("admin:promises_promiseperiod_change", args=[period.pk])
    page = client.get(url).content.decode()
    assert "kommunens-publicerare" in page
    data = form_fields(page, "promiseperiod_form")
    data.update({"approvals_given": ["smyg"], "_save": ["Spara"]})
    assert client.post(url, data).status_code == 302
    assert period.approvals.count() == 1
