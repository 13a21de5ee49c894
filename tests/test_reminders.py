"""send_followup_reminders: who is reminded of what, once per person, in Swedish: every
missing row (promises, activities, indicators) of the tertials a period overlaps that end
within 14 days or ended within the last year, each person only of the rows they may enter."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from followup.models import FollowUp
from followup.reminders import reminders_by_user
from followup.tertials import Tertial
from municipalities.models import Municipality
from promises.models import PromisePeriod
from tests.factories import add_promise, make_member, police_area_for

TODAY = datetime.date(2026, 4, 20)  # T1 2026 ends 30 April: within 14 days

# Every row of the period, and which of them the police report (the row's own named party,
# else its promise's; joint counts).
POLICE_ROWS = {"Synlig polis i centrum", "Fotpatrullering i centrum", "Anmälda brott i centrum",
               "Tryggare kvällar"}
MUNICIPALITY_ROWS = {"Föräldravandring", "Trygga mötesplatser", "Trygghetsvandring i Nävertorp",
                     "Antal vandringar"}
EVERY_ROW = POLICE_ROWS | MUNICIPALITY_ROWS


def new_period(municipality, valid_from, valid_to, title):
    period = PromisePeriod.objects.create(
        police_area=police_area_for(municipality), title=title,
        valid_from=datetime.date.fromisoformat(valid_from),
        valid_to=datetime.date.fromisoformat(valid_to),
    )
    period.municipalities.add(municipality)
    return period


@pytest.fixture
def place(db):
    return Municipality.objects.get(code="0483")


@pytest.fixture
def period(place):
    period = new_period(place, "2025-01-01", "2026-12-31", "Medborgarlöfte 2025–2026")
    add_promise(period, "police", "Synlig polis i centrum", order=1, activities=[
        ("Fotpatrullering i centrum", ""), ("Föräldravandring", "municipality"),
    ])
    add_promise(period, "municipality", "Trygga mötesplatser", order=2,
                activities=[("Trygghetsvandring i Nävertorp", "")],
                indicators=[("Antal vandringar", ""), ("Anmälda brott i centrum", "police")])
    add_promise(period, "joint", "Tryggare kvällar", order=3)
    return period


def every_subject(period):
    for promise in period.promises.all():
        yield promise
        yield from promise.activities.all()
        yield from promise.indicators.all()


def fill(period, year, tertial, **values):
    values = values or {"account": "Gjort"}
    for subject in every_subject(period):
        kind = type(subject)._meta.model_name
        FollowUp.objects.update_or_create(
            promise=getattr(subject, "promise", subject), year=year, tertial=tertial,
            activity=subject if kind == "activity" else None,
            indicator=subject if kind == "indicator" else None,
            defaults=values,
        )


def fill_all_past(period):
    for tertial in (1, 2, 3):
        fill(period, 2025, tertial)


def missing_for(user, today=TODAY):
    """{tertial: {row text}} the user is reminded of."""
    return {item.tertial: {line.text for line in item.lines}
            for item in reminders_by_user(today).get(user, [])}


def test_coordinator_is_reminded_of_every_missing_row_of_a_tertial_ending_within_14_days(
    period
):
    coordinator = make_member("coordinator", municipality=period.municipalities.get(),
                              email="samordnare@example.se")
    fill_all_past(period)
    assert missing_for(coordinator) == {Tertial(2026, 1): EVERY_ROW}
    call_command("send_followup_reminders", date=TODAY.isoformat())
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [coordinator.email]
    assert "uppföljning" in message.subject.lower()
    assert "T1 2026" in message.body
    for text in EVERY_ROW:
        assert text in message.body
    assert f"/admin/followup/followup/tertial/{period.pk}/2026/1/" in message.body
    assert "Hej" in message.body  # Swedish


def test_nothing_is_sent_when_the_tertial_ends_later_than_14_days(period):
    make_member("coordinator", municipality=period.municipalities.get())
    fill_all_past(period)
    call_command("send_followup_reminders", date="2026-04-10")
    assert mail.outbox == []


def test_ended_tertials_still_missing_are_listed_once_per_person(period):
    coordinator = make_member("coordinator", municipality=period.municipalities.get())
    make_member("police", police_area=period.police_area, username=coordinator.username)
    fill(period, 2025, 1)
    assert set(missing_for(coordinator)) == {Tertial(2025, 2), Tertial(2025, 3),
                                             Tertial(2026, 1)}
    call_command("send_followup_reminders", date=TODAY.isoformat())
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    for tertial in ["T2 2025", "T3 2025", "T1 2026"]:
        assert tertial in body
    assert "T1 2025" not in body


def test_gaps_older_than_a_year_are_left_alone(period):
    coordinator = make_member("coordinator", municipality=period.municipalities.get())
    # On 1 September 2026: T2 2025 ended a year and a day ago; T2 2026 has just ended and
    # T3 2026 ends months later.
    assert set(missing_for(coordinator, datetime.date(2026, 9, 1))) == {
        Tertial(2025, 3), Tertial(2026, 1), Tertial(2026, 2),
    }


def test_complete_followup_sends_nothing(period):
    make_member("coordinator", municipality=period.municipalities.get())
    fill_all_past(period)
    fill(period, 2026, 1)
    call_command("send_followup_reminders", date=TODAY.isoformat())
    assert mail.outbox == []


@pytest.mark.parametrize("membership", ["police_area", "municipality"])
def test_police_coordinator_hears_only_of_the_rows_the_police_report(period, membership):
    place = {"police_area": period.police_area,
             "municipality": period.municipalities.get()}[membership]
    police = make_member("police", email="polis@polisen.se", **{membership: place})
    fill_all_past(period)
    assert missing_for(police) == {Tertial(2026, 1): POLICE_ROWS}
    call_command("send_followup_reminders", date=TODAY.isoformat())
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    for text in POLICE_ROWS:
        assert text in body
    for text in MUNICIPALITY_ROWS:
        assert text not in body


def test_coordinators_of_other_municipalities_hear_nothing_of_this_period(period):
    flen = make_member("coordinator", municipality=Municipality.objects.get(code="0482"))
    other_police = make_member("police", police_area=police_area_for(
        Municipality.objects.get(code="0482")))
    make_member("coordinator", municipality=period.municipalities.get())
    fill_all_past(period)
    reminders = reminders_by_user(TODAY)
    assert flen not in reminders and other_police not in reminders
    assert len(reminders) == 1


def test_reported_rows_are_not_asked_for_again_but_empty_ones_are(period):
    coordinator = make_member("coordinator", municipality=period.municipalities.get())
    fill_all_past(period)
    fill(period, 2026, 1)
    # A status alone, or a value alone, is a report; a row emptied again is missing.
    FollowUp.objects.filter(year=2026, promise__text="Synlig polis i centrum").update(
        account="")
    FollowUp.objects.filter(year=2026, activity__text="Fotpatrullering i centrum").update(
        status="ongoing")
    FollowUp.objects.filter(year=2026, indicator__name="Antal vandringar").update(
        account="", value=0)
    assert missing_for(coordinator) == {
        Tertial(2026, 1): {"Synlig polis i centrum", "Föräldravandring"},
    }


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "today", "asked"),
    [
        # September–December: only T3, never the tertials before it or the next year's.
        ("2025-09-01", "2025-12-31", "2026-04-20", [(2025, 3)]),
        ("2025-09-01", "2025-12-31", "2025-12-20", [(2025, 3)]),
        ("2026-09-01", "2026-12-31", "2026-04-20", []),
        ("2026-09-01", "2026-12-31", "2026-12-20", [(2026, 3)]),
        ("2026-03-01", "2026-06-30", "2026-08-25", [(2026, 1), (2026, 2)]),
    ],
)
def test_a_short_period_is_asked_only_for_the_tertials_it_overlaps(
    place, valid_from, valid_to, today, asked
):
    short = new_period(place, valid_from, valid_to, "Kort medborgarlöfte")
    add_promise(short, "joint", "Ett kort löfte", activities=[("En kort aktivitet", "")])
    coordinator = make_member("coordinator", municipality=place)
    missing = missing_for(coordinator, datetime.date.fromisoformat(today))
    assert sorted(missing) == [Tertial(*t) for t in asked]
    for rows in missing.values():
        assert rows == {"Ett kort löfte", "En kort aktivitet"}
    call_command("send_followup_reminders", date=today)
    assert len(mail.outbox) == (1 if asked else 0)
    for year in (2025, 2026):
        for number in (1, 2, 3):
            if mail.outbox and (year, number) not in asked:
                assert f"T{number} {year}" not in mail.outbox[0].body


def test_other_roles_inactive_users_and_users_without_email_are_not_reminded(
    period, django_user_model
):
    municipality = period.municipalities.get()
    for role in ("reviewer", "publisher", "signer"):
        make_member(role, municipality=municipality)
    inactive = make_member("coordinator", municipality=municipality, username="inactive")
    django_user_model.objects.filter(pk=inactive.pk).update(is_active=False)
    silent = make_member("coordinator", municipality=municipality, username="silent")
    django_user_model.objects.filter(pk=silent.pk).update(email="")
    call_command("send_followup_reminders", date=TODAY.isoformat())
    assert mail.outbox == []


def test_dry_run_prints_and_sends_nothing(period, capsys):
    make_member("coordinator", municipality=period.municipalities.get(),
                email="s@katrineholm.se")
    call_command("send_followup_reminders", date=TODAY.isoformat(), dry_run=True)
    assert mail.outbox == []
    assert "s@katrineholm.se" in capsys.readouterr().out


def test_a_bad_date_is_a_clear_error(db):
    with pytest.raises(CommandError, match="--date"):
        call_command("send_followup_reminders", date="30/4")
