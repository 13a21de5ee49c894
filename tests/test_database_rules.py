"""Each database rule, with a case that breaks it: in the database itself, and as a form
error in the admin."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from followup.models import FollowUp, Measurement, TertialReport
from municipalities.models import Municipality
from promises.models import Activity, Indicator, Promise, PromisePeriod
from tests.factories import unsaved_period


def assert_rejected_by_database(obj):
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()


def test_period_cannot_end_before_it_starts(katrineholm):
    period = unsaved_period(
        katrineholm[2022], valid_from=datetime.date(2030, 5, 1), valid_to=datetime.date(2030, 4, 30)
    )
    with pytest.raises(ValidationError) as error:
        period.full_clean()
    assert "valid_to" in error.value.message_dict
    assert_rejected_by_database(period)


def test_overlapping_periods_for_same_municipality_and_area_are_refused(katrineholm):
    period = unsaved_period(
        katrineholm[2022], valid_from=datetime.date(2023, 6, 1), valid_to=datetime.date(2024, 5, 31)
    )
    with pytest.raises(ValidationError) as error:
        period.full_clean()
    assert "Medborgarlöfte 2022–2023" in str(error.value.message_dict["valid_from"])
    if connection.vendor == "postgresql":
        assert_rejected_by_database(period)


def test_adjacent_periods_do_not_overlap(katrineholm):
    period = unsaved_period(
        katrineholm[2022],
        valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2024, 12, 31),
    )
    period.full_clean()
    period.save()


def test_police_area_must_serve_the_municipality(katrineholm):
    period = unsaved_period(katrineholm[2022], municipality=Municipality.objects.get(code="0180"))
    with pytest.raises(ValidationError) as error:
        period.full_clean()
    assert "police_area" in error.value.message_dict


def test_published_period_needs_published_at(katrineholm):
    period = unsaved_period(
        katrineholm[2022], status=PromisePeriod.Status.PUBLISHED, published_at=None
    )
    assert_rejected_by_database(period)


def test_one_follow_up_per_activity_and_tertial(katrineholm):
    existing = FollowUp.objects.filter(activity__promise__period=katrineholm[2018]).first()
    duplicate = FollowUp(activity=existing.activity, year=existing.year, tertial=existing.tertial)
    with pytest.raises(ValidationError) as error:
        duplicate.full_clean()
    assert "redan" in str(error.value)
    assert_rejected_by_database(duplicate)


def test_tertial_is_one_to_three_in_the_database(katrineholm):
    activity = Activity.objects.filter(promise__period=katrineholm[2018]).first()
    assert_rejected_by_database(FollowUp(activity=activity, year=2018, tertial=4))


@pytest.mark.parametrize("year", [2017, 2019])
def test_follow_up_tertial_must_lie_in_the_period(katrineholm, year):
    activity = Activity.objects.filter(promise__period=katrineholm[2018]).first()
    followup = FollowUp(activity=activity, year=year, tertial=1)
    with pytest.raises(ValidationError) as error:
        followup.full_clean()
    assert "tertial" in error.value.message_dict


def test_measurement_and_report_tertials_must_lie_in_the_period(katrineholm):
    period = katrineholm[2022]
    indicator = Indicator.objects.create(promise=period.promises.first(), name="Antal")
    with pytest.raises(ValidationError):
        Measurement(indicator=indicator, year=2021, tertial=3, value=1).full_clean()
    with pytest.raises(ValidationError):
        TertialReport(period=period, year=2024, tertial=1).full_clean()
    Measurement(indicator=indicator, year=2023, tertial=3, value=1).full_clean()


def test_one_measurement_per_indicator_and_tertial(katrineholm):
    indicator = Indicator.objects.create(promise=katrineholm[2022].promises.first(), name="Antal")
    Measurement.objects.create(indicator=indicator, year=2022, tertial=1, value=3)
    assert_rejected_by_database(Measurement(indicator=indicator, year=2022, tertial=1, value=4))


def test_targets_cannot_be_negative(katrineholm):
    promise = katrineholm[2022].promises.first()
    assert_rejected_by_database(Activity(promise=promise, text="x", target_value=-1))
    assert_rejected_by_database(Indicator(promise=promise, name="x", target_value=-1))


def test_municipality_code_is_four_digits(db):
    county = Municipality.objects.get(code="0483").county
    assert_rejected_by_database(Municipality(code="48", name="X", slug="x", county=county))


def test_all_municipalities_counties_and_regions_are_loaded(db):
    from municipalities.models import County, PoliceRegion

    assert Municipality.objects.count() == 290
    assert County.objects.count() == 21
    assert PoliceRegion.objects.count() == 7
    gotland = Municipality.objects.get(code="0980")
    assert gotland.county.police_region.name == "Region Stockholm"


def test_admin_shows_overlap_as_a_translated_form_error(katrineholm, superuser_client):
    base = katrineholm[2022]
    response = superuser_client.post(
        "/admin/promises/promiseperiod/add/",
        {
            "municipality": base.municipality_id,
            "police_area": base.police_area_id,
            "title": "Överlappar",
            "valid_from": "2023-01-01",
            "valid_to": "2024-12-31",
            "status": "draft",
            **{f"{prefix}-TOTAL_FORMS": "0" for prefix in INLINE_PREFIXES},
            **{f"{prefix}-INITIAL_FORMS": "0" for prefix in INLINE_PREFIXES},
        },
    )
    assert response.status_code == 200
    assert "överlappar" in response.content.decode().lower()
    assert not PromisePeriod.objects.filter(title="Överlappar").exists()


INLINE_PREFIXES = ["priorities", "focus_areas", "signatories", "promises"]


def test_promise_without_period_is_impossible(db):
    assert_rejected_by_database(Promise(party="police", text="x"))
