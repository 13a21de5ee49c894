"""send_followup_reminders: who is reminded of what, once per person, in Swedish."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command

from followup.models import FollowUp, Measurement
from municipalities.models import Municipality
from promises.models import Activity, Indicator, PromisePeriod
from tests.factories import make_draft_period, make_member

TODAY = datetime.date(2026, 4, 20)  # T1 2026 ends 30 April: within 14 days


@pytest.fixture
def period(db):
    return make_draft_period(
        Municipality.objects.get(code="0483"), title="Medborgarlöfte 2025–2026",
        valid_from="2025-01-01", valid_to="2026-12-31",
        promises={
            "police": (["Fotpatrullering i centrum"], []),
            "municipality": (["Trygghetsvandring i Nävertorp"], ["Antal vandringar"]),
        },
    )


def fill(period, year, tertial):
    for activity in Activity.objects.filter(promise__period=period):
        FollowUp.objects.update_or_create(activity=activity, year=year, tertial=tertial,
                                          defaults={"account": "Gjort"})
    for indicator in Indicator.objects.filter(promise__period=period):
        Measurement.objects.update_or_create(indicator=indicator, year=year, tertial=tertial,
                                             defaults={"value": 1})


def fill_all_past(period):
    for year, tertial in [(2025, 1), (2025, 2), (2025, 3)]:
        fill(period, year, tertial)


def test_coordinator_is_reminded_of_a_tertial_ending_within_14_days(period):
    coordinator = make_member("coordinator", municipality=period.municipality,
                              email="samordnare@katrineholm.se")
    fill_all_past(period)
    call_command("send_followup_reminders", date=TODAY.isoformat())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [coordinator.email]
    assert "uppföljning" in message.subject.lower()
    assert "T1 2026" in message.body
    assert "Fotpatrullering i centrum" in message.body
    assert "Trygghetsvandring i Nävertorp" in message.body
    assert "Antal vandringar" in message.body
    assert f"/admin/followup/followup/tertial/{period.pk}/2026/1/" in message.body
    assert "Hej" in message.body  # Swedish


def test_nothing_is_sent_when_the_tertial_ends_later_than_14_days(period):
    make_member("coordinator", municipality=period.municipality)
    fill_all_past(period)
    call_command("send_followup_reminders", date="2026-04-10")
    assert mail.outbox == []


def test_ended_tertials_still_missing_are_listed_once_per_person(period):
    coordinator = make_member("coordinator", municipality=period.municipality)
    make_member("police", municipality=period.municipality, username=coordinator.username)
    fill(period, 2025, 1)
    call_command("send_followup_reminders", date=TODAY.isoformat())
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    for tertial in ["T2 2025", "T3 2025", "T1 2026"]:
        assert tertial in body
    assert "T1 2025" not in body


def test_complete_followup_sends_nothing(period):
    make_member("coordinator", municipality=period.municipality)
    fill_all_past(period)
    fill(period, 2026, 1)
    call_command("send_followup_reminders", date=TODAY.isoformat())
    assert mail.outbox == []


def test_police_coordinator_hears_only_of_police_and_joint_promises(period):
    make_member("police", police_area=period.police_area, email="polis@polisen.se")
    fill_all_past(period)
    call_command("send_followup_reminders", date=TODAY.isoformat())
    assert len(mail.outbox) == 1
    assert "Fotpatrullering i centrum" in mail.outbox[0].body
    assert "Trygghetsvandring i Nävertorp" not in mail.outbox[0].body


def test_archived_periods_and_other_roles_are_not_reminded(period):
    make_member("reviewer", municipality=period.municipality)
    make_member("publisher", municipality=period.municipality)
    call_command("send_followup_reminders", date=TODAY.isoformat())
    assert mail.outbox == []
    make_member("coordinator", municipality=period.municipality)
    PromisePeriod.objects.filter(pk=period.pk).update(status="archived",
                                                      published_at="2025-01-01T00:00Z")
    call_command("send_followup_reminders", date=TODAY.isoformat())
    assert mail.outbox == []


def test_a_blank_account_counts_as_missing(period):
    make_member("coordinator", municipality=period.municipality)
    fill_all_past(period)
    fill(period, 2026, 1)
    FollowUp.objects.filter(year=2026, activity__promise__party="police").update(account="")
    call_command("send_followup_reminders", date=TODAY.isoformat())
    assert len(mail.outbox) == 1
    assert "Fotpatrullering i centrum" in mail.outbox[0].body


def test_dry_run_prints_and_sends_nothing(period, capsys):
    make_member("coordinator", municipality=period.municipality, email="s@katrineholm.se")
    call_command("send_followup_reminders", date=TODAY.isoformat(), dry_run=True)
    assert mail.outbox == []
    assert "s@katrineholm.se" in capsys.readouterr().out


def test_a_bad_date_is_a_clear_error(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--date"):
        call_command("send_followup_reminders", date="30/4")
