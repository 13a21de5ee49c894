"""The tertial screen: one page, one save, all or nothing, scoped to the user's rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.models import FollowUp, Measurement
from promises.models import Activity, Indicator, Promise
from tests.factories import form_fields, make_member, other_period


def screen_url(period, year, tertial):
    return reverse("admin:followup_tertial", args=[period.pk, year, tertial])


@pytest.fixture
def period(katrineholm):
    period = katrineholm[2018]
    promise = period.promises.filter(party="joint").first()
    Indicator.objects.create(promise=promise, name="Antal SIG-möten", unit="st")
    return period


@pytest.fixture
def coordinator(period, client):
    user = make_member("coordinator", municipality=period.municipality)
    client.force_login(user)
    return user


def test_screen_shows_every_activity_and_indicator_with_previous_account(
    period, coordinator, client
):
    response = client.get(screen_url(period, 2018, 3))
    assert response.status_code == 200
    page = response.content.decode()
    activities = Activity.objects.filter(promise__period=period)
    for activity in activities:
        assert f'id="id_a{activity.pk}-status"' in page
        assert f'for="id_a{activity.pk}-account"' in page
        assert f'for="id_a{activity.pk}-internal_note"' in page
    indicator = Indicator.objects.get(promise__period=period)
    assert f'for="id_i{indicator.pk}-value"' in page
    # T2's account is shown beside T3 for reference.
    assert "158 narkotikabrott har rapporteras" in page
    assert page.count('type="submit" class="default"') == 1


def test_screen_costs_the_same_queries_at_any_size(period, coordinator, client):
    client.get(screen_url(period, 2018, 3))
    with CaptureQueriesContext(connection) as small:
        client.get(screen_url(period, 2018, 3))
    promise = period.promises.first()
    for number in range(10):
        activity = Activity.objects.create(promise=promise, text=f"Extra {number}")
        FollowUp.objects.create(activity=activity, year=2018, tertial=2, account="x")
        Indicator.objects.create(promise=promise, name=f"Extra {number}")
    with CaptureQueriesContext(connection) as large:
        client.get(screen_url(period, 2018, 3))
    assert len(large) == len(small)


def test_saving_the_whole_tertial_in_one_post(period, coordinator, client):
    page = client.get(screen_url(period, 2018, 3)).content.decode()
    data = form_fields(page, "tertial-form")
    activity = Activity.objects.filter(promise__period=period).first()
    indicator = Indicator.objects.get(promise__period=period)
    data[f"a{activity.pk}-account"] = "Nytt tertial 3-konto"
    data[f"a{activity.pk}-internal_note"] = "Namn på en person"
    data[f"i{indicator.pk}-value"] = "7,5"
    response = client.post(screen_url(period, 2018, 3), data)
    assert response.status_code == 302
    followup = FollowUp.objects.get(activity=activity, year=2018, tertial=3)
    assert followup.account == "Nytt tertial 3-konto"
    assert followup.internal_note == "Namn på en person"
    assert followup.updated_by == coordinator
    assert followup.history.first().history_user == coordinator
    assert str(Measurement.objects.get(indicator=indicator, year=2018, tertial=3).value) == "7.50"


def test_one_invalid_row_saves_nothing_and_keeps_everything_typed(period, coordinator, client):
    page = client.get(screen_url(period, 2018, 3)).content.decode()
    data = form_fields(page, "tertial-form")
    first, second = Activity.objects.filter(promise__period=period)[:2]
    indicator = Indicator.objects.get(promise__period=period)
    data[f"a{first.pk}-account"] = "Text som inte får försvinna"
    data[f"a{second.pk}-status"] = "no-such-status"
    data[f"i{indicator.pk}-value"] = "sju"
    before = list(FollowUp.objects.order_by("pk").values_list("account", "version"))
    response = client.post(screen_url(period, 2018, 3), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Text som inte får försvinna" in page
    assert f'id="row-a{second.pk}"' in page and "has-errors" in page
    assert 'value="sju"' in page
    assert "Nothing was saved" in page or "Inget sparades" in page
    assert list(FollowUp.objects.order_by("pk").values_list("account", "version")) == before
    assert not Measurement.objects.filter(indicator=indicator).exists()


def test_default_tertial_is_the_periods_last_once_it_has_ended(period, coordinator, client):
    response = client.get(reverse("admin:followup_tertial_default", args=[period.pk]))
    assert response.status_code == 302
    assert response["Location"] == screen_url(period, 2018, 3)


def test_tertial_outside_the_period_is_404(period, coordinator, client):
    assert client.get(screen_url(period, 2019, 1)).status_code == 404
    assert client.get(screen_url(period, 2018, 4)).status_code == 404


def test_choose_page_lists_only_own_periods(period, coordinator, client):
    flen = other_period(period)
    page = client.get(reverse("admin:followup_tertial_choose")).content.decode()
    assert period.title in page
    assert flen.title not in page
    response = client.get(reverse("admin:followup_tertial_choose"), {"period": flen.pk})
    assert response.status_code == 400


def test_choose_redirects_to_the_chosen_tertial(period, coordinator, client):
    response = client.get(
        reverse("admin:followup_tertial_choose"), {"period": period.pk, "year": 2018, "tertial": 2}
    )
    assert response["Location"] == screen_url(period, 2018, 2)


def test_coordinator_cannot_open_or_post_another_municipalitys_screen(period, coordinator, client):
    flen = other_period(period)
    assert client.get(screen_url(flen, 2018, 1)).status_code == 404
    activity = Activity.objects.filter(promise__period=flen).first()
    response = client.post(screen_url(flen, 2018, 1), {f"a{activity.pk}-status": "ongoing",
                                                       f"a{activity.pk}-account": "intrång"})
    assert response.status_code == 404
    assert not FollowUp.objects.filter(activity__promise__period=flen).exists()


def test_rows_of_other_periods_posted_into_the_form_are_ignored(period, coordinator, client):
    flen = other_period(period)
    activity = Activity.objects.filter(promise__period=flen).first()
    data = form_fields(client.get(screen_url(period, 2018, 3)).content.decode(), "tertial-form")
    data[f"a{activity.pk}-status"] = "ongoing"
    data[f"a{activity.pk}-account"] = "intrång"
    client.post(screen_url(period, 2018, 3), data)
    assert not FollowUp.objects.filter(activity=activity).exists()


def test_police_coordinator_sees_and_edits_only_police_and_joint_rows(period, client):
    police = make_member("police", police_area=period.police_area)
    client.force_login(police)
    page = client.get(screen_url(period, 2018, 3)).content.decode()
    municipal = Activity.objects.filter(promise__period=period, promise__party="municipality")
    joint = Activity.objects.filter(promise__period=period, promise__party="joint").first()
    assert municipal.exists()
    for activity in municipal:
        assert f'id="row-a{activity.pk}"' not in page
    assert f'id="row-a{joint.pk}"' in page
    data = form_fields(page, "tertial-form")
    data[f"a{joint.pk}-account"] = "Polisens redovisning"
    assert client.post(screen_url(period, 2018, 3), data).status_code == 302
    saved = FollowUp.objects.get(activity=joint, year=2018, tertial=3)
    assert saved.account == "Polisens redovisning"


def test_reviewer_reads_the_screen_but_cannot_save(period, client):
    reviewer = make_member("reviewer", municipality=period.municipality)
    client.force_login(reviewer)
    page = client.get(screen_url(period, 2018, 3)).content.decode()
    assert "disabled" in page
    assert 'type="submit" class="default"' not in page
    activity = Activity.objects.filter(promise__period=period).first()
    response = client.post(screen_url(period, 2018, 3), {f"a{activity.pk}-status": "ongoing",
                                                         f"a{activity.pk}-account": "x"})
    assert response.status_code == 403
    assert FollowUp.objects.get(activity=activity, year=2018, tertial=3).account != "x"


def test_screen_is_linked_from_the_admin_index_and_the_period(period, coordinator, client):
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:followup_tertial_choose") in index
    change = client.get(reverse("admin:promises_promiseperiod_change", args=[period.pk]))
    assert reverse("admin:followup_tertial_default", args=[period.pk]) in change.content.decode()
    changelist = client.get(reverse("admin:promises_promiseperiod_changelist")).content.decode()
    assert reverse("admin:followup_tertial_default", args=[period.pk]) in changelist


def test_new_promise_without_followups_starts_empty(period, coordinator, client):
    promise = Promise.objects.create(
        period=period, party="municipality", text="Nytt löfte", order=9
    )
    activity = Activity.objects.create(promise=promise, text="Ny aktivitet")
    data = form_fields(client.get(screen_url(period, 2018, 3)).content.decode(), "tertial-form")
    assert data[f"a{activity.pk}-version"] == [""]
    client.post(screen_url(period, 2018, 3), data)
    # Nothing typed for the new activity: no empty follow-up row is created.
    assert not FollowUp.objects.filter(activity=activity).exists()
