"""Each rule about the data, with a case that breaks it: in the database itself where the
database can hold it, in the model's validation and as a form error in the admin; and what
may not be deleted, whoever deletes it."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from followup.models import FollowUp, TertialReport, YearEndComment
from municipalities.models import County, Municipality, PoliceArea, PoliceRegion
from promises.deletion import PublishedDeletion
from promises.models import Activity, Agreement, Indicator, Promise, PromisePeriod
from promises.publishing import unpublish
from tests.factories import (
    add_promise, form_fields, make_member, make_period, police_area_for, unsaved_period,
)

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no exclusion constraints"
)


def assert_rejected_by_database(obj):
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def day(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def base(katrineholm):
    """Medborgarlöfte 2022–2023, of Katrineholm and its police area."""
    return katrineholm[2022]


# Periods: validity and overlaps ----------------------------------------------------------

def test_period_cannot_end_before_it_starts(base):
    period = unsaved_period(base, valid_from=day("2030-05-01"), valid_to=day("2030-04-30"))
    with pytest.raises(ValidationError) as error:
        period.full_clean()
    assert "valid_to" in error.value.message_dict
    assert_rejected_by_database(period)


def test_a_one_day_period_is_valid(base):
    period = unsaved_period(base, valid_from=day("2030-05-01"), valid_to=day("2030-05-01"))
    period.full_clean()
    period.save()
    period.check_parties(list(base.municipalities.all()))


@pytest.mark.parametrize(("valid_from", "valid_to"), [
    ("2023-06-01", "2024-05-31"),  # over the end
    ("2021-06-01", "2022-01-01"),  # over the start, by one day
    ("2022-03-01", "2022-04-30"),  # inside
    ("2021-01-01", "2024-12-31"),  # around
])
def test_overlapping_periods_for_the_same_municipality_and_area_are_refused(
    base, valid_from, valid_to
):
    period = unsaved_period(base, valid_from=day(valid_from), valid_to=day(valid_to))
    with pytest.raises(ValidationError) as error:
        period.check_parties(list(base.municipalities.all()))
    assert base.title in str(error.value.message_dict["valid_from"])


@pytest.mark.parametrize(("valid_from", "valid_to"), [
    ("2024-01-01", "2024-12-31"),  # the day after
    ("2021-01-01", "2021-12-31"),  # the year before (2020's period ends in 2020)
])
def test_adjacent_periods_do_not_overlap(base, valid_from, valid_to):
    period = unsaved_period(base, valid_from=day(valid_from), valid_to=day(valid_to))
    period.full_clean()
    period.check_parties(list(base.municipalities.all()))
    period.save()
    period.municipalities.set(base.municipalities.all())


def test_the_same_dates_with_another_police_area_or_municipality_are_no_overlap(base):
    katrineholm = base.municipalities.get()
    other_area = PoliceArea.objects.create(name="Lokalpolisområde Sörmland väst",
                                           police_region=base.police_area.police_region)
    other_area.municipalities.add(katrineholm)
    elsewhere = unsaved_period(base, police_area=other_area, valid_from=base.valid_from,
                               valid_to=base.valid_to)
    elsewhere.check_parties([katrineholm])
    elsewhere.save()
    elsewhere.municipalities.add(katrineholm)
    flen = Municipality.objects.get(code="0482")
    base.police_area.municipalities.add(flen)
    neighbour = unsaved_period(base, valid_from=base.valid_from, valid_to=base.valid_to)
    neighbour.check_parties([flen])
    neighbour.save()
    neighbour.municipalities.add(flen)


def test_a_joint_period_overlaps_each_of_its_municipalities_periods(base):
    flen = Municipality.objects.get(code="0482")
    base.police_area.municipalities.add(flen)
    joint = unsaved_period(base, valid_from=day("2023-01-01"), valid_to=day("2023-12-31"))
    with pytest.raises(ValidationError) as error:
        joint.check_parties([flen, base.municipalities.get()])
    assert base.title in str(error.value.message_dict["valid_from"])


def test_a_saved_period_is_checked_against_others_but_not_itself(base):
    base.full_clean()
    base.valid_to = day("2024-03-31")
    base.full_clean()  # longer, still overlapping nothing but itself
    later = unsaved_period(base, valid_from=day("2024-01-01"), valid_to=day("2024-12-31"))
    later.save()
    later.municipalities.set(base.municipalities.all())
    base.refresh_from_db()
    base.valid_to = day("2024-03-31")
    with pytest.raises(ValidationError) as error:
        base.full_clean()
    assert later.title in str(error.value.message_dict["valid_from"])


@on_postgresql
def test_the_database_refuses_an_overlapping_period_for_the_same_municipality_and_area(base):
    period = unsaved_period(base, valid_from=day("2023-06-01"), valid_to=day("2024-05-31"))
    period.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        period.municipalities.add(base.municipalities.get())


@on_postgresql
def test_the_database_refuses_moving_a_period_over_another(base):
    period = unsaved_period(base, valid_from=day("2024-01-01"), valid_to=day("2024-12-31"))
    period.save()
    period.municipalities.add(base.municipalities.get())
    period.valid_from = day("2023-12-31")
    with pytest.raises(IntegrityError), transaction.atomic():
        period.save()


@on_postgresql
def test_the_database_allows_what_does_not_overlap(base):
    flen = Municipality.objects.get(code="0482")
    base.police_area.municipalities.add(flen)
    same_dates_other_place = unsaved_period(base, valid_from=base.valid_from,
                                            valid_to=base.valid_to)
    same_dates_other_place.save()
    same_dates_other_place.municipalities.add(flen)
    next_day = unsaved_period(base, valid_from=day("2024-01-01"), valid_to=day("2024-12-31"))
    next_day.save()
    next_day.municipalities.add(base.municipalities.get())


# Periods: parties ---------------------------------------------------------------------------

def test_a_period_names_at_least_one_municipality(base):
    with pytest.raises(ValidationError) as error:
        unsaved_period(base).check_parties([])
    assert "municipalities" in error.value.message_dict


def test_police_area_must_serve_every_municipality(base):
    with pytest.raises(ValidationError) as error:
        unsaved_period(base).check_parties([base.municipalities.get(),
                                            Municipality.objects.get(code="0180")])
    assert "Stockholm" in str(error.value.message_dict["police_area"])


def test_a_period_lies_within_its_agreement_and_between_its_parties(base):
    katrineholm = base.municipalities.get()
    agreement = Agreement.objects.create(
        police_area=base.police_area, title="Samverkan 2030–2031",
        valid_from=day("2030-01-01"), valid_to=day("2031-12-31"),
    )
    agreement.municipalities.add(katrineholm)
    unsaved_period(base, agreement=agreement).check_parties([katrineholm])
    for changes, parties in [
        ({"valid_to": day("2032-01-31")}, [katrineholm]),
        ({}, [katrineholm, Municipality.objects.get(code="0482")]),
    ]:
        if len(parties) > 1:
            base.police_area.municipalities.add(parties[1])
        with pytest.raises(ValidationError) as error:
            unsaved_period(base, agreement=agreement, **changes).check_parties(parties)
        assert "agreement" in error.value.message_dict
    other_area = PoliceArea.objects.create(name="Lokalpolisområde Annat",
                                           police_region=base.police_area.police_region)
    other_area.municipalities.add(katrineholm)
    with pytest.raises(ValidationError) as error:
        unsaved_period(base, police_area=other_area, agreement=agreement).check_parties(
            [katrineholm])
    assert "agreement" in error.value.message_dict


def test_published_period_needs_published_at(base):
    period = unsaved_period(base, status=PromisePeriod.Status.PUBLISHED, published_at=None)
    assert_rejected_by_database(period)


def test_admin_shows_an_overlap_as_a_form_error_and_saves_nothing(base, superuser_client):
    url = reverse("admin:promises_promiseperiod_add")
    data = form_fields(superuser_client.get(url).content.decode(), "promiseperiod_form")
    data.update({
        "parties": [str(base.municipalities.get().pk)],
        "police_area": [str(base.police_area_id)],
        "title": ["Överlappar"],
        "valid_from": ["2023-01-01"],
        "valid_to": ["2024-12-31"],
    })
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "errornote" in page and base.title in page
    assert not PromisePeriod.objects.filter(title="Överlappar").exists()


# Follow-up ----------------------------------------------------------------------------------

@pytest.fixture
def period(db):
    """A published 2024 period with one promise, an activity and an indicator, each with a
    follow-up in every tertial."""
    return make_period(year=2024, promises=1, activities=1, indicators=1)


def subject_of(period, kind):
    promise = period.promises.get()
    return {"promise": promise, "activity": promise.activities.get(),
            "indicator": promise.indicators.get()}[kind]


def followup_of(subject, **fields):
    if isinstance(subject, Promise):
        return FollowUp(promise=subject, **fields)
    return FollowUp(promise=subject.promise,
                    **{type(subject)._meta.model_name: subject}, **fields)


@pytest.mark.parametrize("kind", ["promise", "activity", "indicator"])
def test_one_follow_up_per_subject_and_tertial(period, kind):
    duplicate = followup_of(subject_of(period, kind), year=2024, tertial=2, account="Igen")
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "__all__" in error.value.message_dict
    assert_rejected_by_database(duplicate)


def test_a_promise_and_its_activities_and_indicators_each_have_their_own_follow_up(db):
    period = make_period(year=2024, promises=1, activities=0, indicators=0, published=False,
                         reports=())
    promise = add_promise(period, "joint", "Nytt löfte", activities=[("Ny aktivitet", "")],
                          indicators=[("Ny indikator", "")])
    for subject in (promise, promise.activities.get(), promise.indicators.get()):
        followup = followup_of(subject, year=2024, tertial=1, account="Gjort")
        followup.full_clean()
        followup.save()
    assert FollowUp.objects.filter(promise=promise, tertial=1).count() == 3


def test_a_follow_up_is_of_an_activity_or_an_indicator_not_both(period):
    promise = period.promises.get()
    both = FollowUp(promise=promise, activity=promise.activities.get(),
                    indicator=promise.indicators.get(), year=2024, tertial=1)
    assert_rejected_by_database(both)


def test_a_follow_up_belongs_to_its_subjects_promise_whatever_the_caller_says(period):
    activity = subject_of(period, "activity")
    stray = add_promise(period, "police", "Ett annat löfte", order=2)
    followup = FollowUp.objects.get(activity=activity, tertial=1)
    followup.promise = stray
    followup.save()
    followup.refresh_from_db()
    assert followup.promise == activity.promise


@pytest.mark.parametrize("tertial", [0, 4])
def test_tertial_is_one_to_three_in_the_database(period, tertial):
    promise = period.promises.get()
    assert_rejected_by_database(FollowUp(promise=promise, year=2025, tertial=tertial))
    assert_rejected_by_database(TertialReport(period=period, year=2025, tertial=tertial))


@pytest.mark.parametrize(("year", "tertial"), [(2023, 3), (2025, 1)])
def test_follow_up_and_report_tertials_must_lie_in_the_period(period, year, tertial):
    for obj in (followup_of(subject_of(period, "indicator"), year=year, tertial=tertial),
                TertialReport(period=period, year=year, tertial=tertial)):
        with pytest.raises(ValidationError) as error:
            obj.full_clean()
        assert "tertial" in error.value.message_dict


def test_a_short_periods_follow_up_lies_in_the_tertials_it_overlaps(db):
    place = Municipality.objects.get(code="0428")
    short = PromisePeriod.objects.create(
        police_area=police_area_for(place), title="September–december",
        valid_from=day("2025-09-01"), valid_to=day("2025-12-31"),
    )
    short.municipalities.add(place)
    promise = add_promise(short, "joint", "Ett kort löfte")
    FollowUp(promise=promise, year=2025, tertial=3).full_clean()
    with pytest.raises(ValidationError):
        FollowUp(promise=promise, year=2025, tertial=2).full_clean()


def test_one_report_per_period_and_tertial(period):
    assert_rejected_by_database(TertialReport(period=period, year=2024, tertial=1))


def test_year_end_comment_year_must_lie_in_the_period(period):
    promise = period.promises.get()
    with pytest.raises(ValidationError) as error:
        YearEndComment(promise=promise, year=2025, text="För sent").full_clean()
    assert "year" in error.value.message_dict
    assert_rejected_by_database(YearEndComment(promise=promise, year=2024, text="Igen"))


# Deletion ---------------------------------------------------------------------------------

def published_rows(period):
    promise = period.promises.get()
    report = period.tertial_reports.filter(status="published").first()
    return [period, report, promise, promise.activities.get(), promise.indicators.get(),
            FollowUp.objects.filter(promise=promise).first(), period.priorities.first(),
            period.focus_areas.first(), period.signatories.first()]


@pytest.mark.parametrize("how", ["instance", "queryset"])
def test_nothing_published_or_in_a_published_period_can_be_deleted(period, how):
    for obj in published_rows(period):
        model = type(obj)
        with pytest.raises(PublishedDeletion), transaction.atomic():
            if how == "instance":
                obj.delete()
            else:
                model.objects.filter(pk=obj.pk).delete()
        assert model.objects.filter(pk=obj.pk).exists(), model


def test_a_published_report_cannot_be_deleted_even_in_a_draft_period(period, admin_user):
    unpublish(period, by=admin_user, reason="Fel kommun")
    report = period.tertial_reports.filter(status="published").first()
    with pytest.raises(PublishedDeletion), transaction.atomic():
        report.delete()
    unpublish(report, by=admin_user, reason="Fel tertial")
    TertialReport.objects.get(pk=report.pk).delete()
    assert not TertialReport.objects.filter(pk=report.pk).exists()


def test_after_unpublishing_with_a_reason_the_period_may_be_deleted(period, admin_user):
    for report in period.tertial_reports.filter(status="published"):
        unpublish(report, by=admin_user, reason="Fel period")
    unpublish(period, by=admin_user, reason="Fel period")
    PromisePeriod.objects.get(pk=period.pk).delete()
    assert not PromisePeriod.objects.filter(pk=period.pk).exists()
    assert not Activity.objects.filter(promise__period_id=period.pk).exists()


def test_the_admin_refuses_deleting_a_published_period_with_a_message(period, client):
    client.force_login(make_member("coordinator", municipality=period.municipalities.get()))
    url = reverse("admin:promises_promiseperiod_delete", args=[period.pk])
    response = client.post(url, {"post": "yes"})
    assert response.status_code in {302, 403}
    assert PromisePeriod.objects.filter(pk=period.pk).exists()
    promise = period.promises.get()
    response = client.post(reverse("admin:promises_promise_delete", args=[promise.pk]),
                           {"post": "yes"})
    assert response.status_code in {302, 403}
    assert Promise.objects.filter(pk=promise.pk).exists()


# Reference data ---------------------------------------------------------------------------

def test_municipality_code_is_four_digits(db):
    county = Municipality.objects.get(code="0483").county
    assert_rejected_by_database(Municipality(code="48", name="X", slug="x", county=county))


def test_all_municipalities_counties_and_regions_are_loaded(db):
    assert Municipality.objects.count() == 290
    assert County.objects.count() == 21
    assert PoliceRegion.objects.count() == 7
    gotland = Municipality.objects.get(code="0980")
    assert gotland.county.police_region.name == "Region Stockholm"


def test_promise_without_period_is_impossible(db):
    assert_rejected_by_database(Promise(party="police", text="x"))


def test_an_indicator_or_activity_without_promise_is_impossible(db):
    assert_rejected_by_database(Activity(text="x"))
    assert_rejected_by_database(Indicator(name="x"))


def test_a_police_area_serves_municipalities_of_one_region(db):
    stockholm, gotland_less = (Municipality.objects.get(code="0180"),
                               Municipality.objects.get(code="0483"))
    with pytest.raises(ValidationError):
        PoliceArea.region_of([stockholm, gotland_less])
    assert police_area_for(gotland_less).police_region == gotland_less.county.police_region
