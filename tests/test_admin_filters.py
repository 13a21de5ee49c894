"""A list's filters fit the person: filters by place (county, police region) only for those
who act in more than one place."""

import pytest
from django.urls import reverse

from municipalities.models import Municipality
from tests.factories import make_member, make_period


@pytest.fixture
def periods_in_two_counties(katrineholm):
    make_period(Municipality.objects.get(code="1280"))  # Malmö, Skåne

LISTS = {
    "admin:promises_promiseperiod_changelist": "municipalities__county__id__exact",
    "admin:municipalities_municipality_changelist": "county__id__exact",
    "admin:municipalities_policearea_changelist": "police_region__id__exact",
}


@pytest.mark.parametrize("url_name, parameter", LISTS.items())
def test_one_municipalitys_coordinator_is_not_offered_place_filters(
    katrineholm, client, url_name, parameter
):
    client.force_login(make_member("coordinator",
                                   municipality=Municipality.objects.get(code="0483")))
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert parameter not in response.content.decode()


@pytest.mark.parametrize("url_name, parameter", LISTS.items())
def test_a_national_administrator_filters_by_place(periods_in_two_counties, superuser_client,
                                                   url_name, parameter):
    response = superuser_client.get(reverse(url_name))
    assert parameter in response.content.decode()


def test_a_coordinator_of_two_municipalities_filters_by_place(periods_in_two_counties, client):
    make_member("coordinator", municipality=Municipality.objects.get(code="0483"),
                username="eva")
    eva = make_member("coordinator", municipality=Municipality.objects.get(code="1280"),
                      username="eva")
    client.force_login(eva)
    page = client.get(reverse("admin:promises_promiseperiod_changelist")).content.decode()
    assert "municipalities__county__id__exact" in page


def test_one_municipalitys_coordinator_is_not_shown_place_columns(katrineholm, client):
    client.force_login(make_member("coordinator",
                                   municipality=Municipality.objects.get(code="0483")))
    page = client.get(reverse("admin:promises_promiseperiod_changelist")).content.decode()
    assert "column-title" in page and "column-years" in page
    assert "column-municipality_names" not in page and "column-police_area" not in page
    assert "2022–2023" in page


def test_a_national_administrator_is_shown_place_columns(katrineholm, superuser_client):
    page = superuser_client.get(
        reverse("admin:promises_promiseperiod_changelist")).content.decode()
    assert "column-municipality_names" in page and "column-police_area" in page
