"""No lost updates: two people editing the same row; the second save is refused, shows the
first person's version, and saves nothing."""

import pytest
from django.test import Client
from django.urls import reverse

from followup.models import FollowUp
from promises.models import Activity
from tests.factories import form_fields, make_member


@pytest.fixture
def period(katrineholm):
    return katrineholm[2018]


@pytest.fixture
def anna_and_bo(period):
    anna = make_member("coordinator", municipality=period.municipality, username="anna")
    anna.first_name, anna.last_name = "Anna", "Andersson"
    anna.save()
    bo = make_member("coordinator", municipality=period.municipality, username="bo")
    first, second = Client(), Client()
    first.force_login(anna)
    second.force_login(bo)
    return first, second


def test_second_save_of_the_same_followup_on_the_tertial_screen_is_refused(period, anna_and_bo):
    anna, bo = anna_and_bo
    url = reverse("admin:followup_tertial", args=[period.pk, 2018, 3])
    activity, other = Activity.objects.filter(promise__period=period)[:2]
    anna_form = form_fields(anna.get(url).content.decode(), "tertial-form")
    bo_form = form_fields(bo.get(url).content.decode(), "tertial-form")

    anna_form[f"a{activity.pk}-account"] = ["Annas version av kontot"]
    assert anna.post(url, anna_form).status_code == 302

    bo_form[f"a{activity.pk}-account"] = ["Bos version av kontot"]
    bo_form[f"a{other.pk}-account"] = ["Bos andra rad"]
    response = bo.post(url, bo_form)
    assert response.status_code == 409
    page = response.content.decode()
    # The refused row shows Anna's version: who, and her text; Bo's text is kept.
    assert "Anna Andersson" in page
    assert "Annas version av kontot" in page
    assert "Bos version av kontot" in page
    assert FollowUp.objects.get(activity=activity, year=2018, tertial=3).account == (
        "Annas version av kontot"
    )
    # All or nothing: Bo's other row was not saved either.
    assert FollowUp.objects.get(activity=other, year=2018, tertial=3).account != "Bos andra rad"

    # Saving again after seeing Anna's version is Bo's deliberate choice, and works.
    again = form_fields(page, "tertial-form")
    assert bo.post(url, again).status_code == 302
    assert FollowUp.objects.get(activity=activity, year=2018, tertial=3).account == (
        "Bos version av kontot"
    )


def test_two_people_creating_the_same_new_followup(period, anna_and_bo):
    anna, bo = anna_and_bo
    activity = Activity.objects.filter(promise__period=period).first()
    FollowUp.objects.filter(activity=activity, year=2018, tertial=3).delete()
    url = reverse("admin:followup_tertial", args=[period.pk, 2018, 3])
    anna_form = form_fields(anna.get(url).content.decode(), "tertial-form")
    bo_form = form_fields(bo.get(url).content.decode(), "tertial-form")
    anna_form[f"a{activity.pk}-account"] = ["Anna först"]
    bo_form[f"a{activity.pk}-account"] = ["Bo sen"]
    assert anna.post(url, anna_form).status_code == 302
    assert bo.post(url, bo_form).status_code == 409
    assert FollowUp.objects.get(activity=activity, year=2018, tertial=3).account == "Anna först"


@pytest.mark.parametrize("model_name", ["promiseperiod", "promise", "followup"])
def test_second_save_on_an_admin_change_form_is_refused(period, anna_and_bo, model_name):
    anna, bo = anna_and_bo
    obj = {
        "promiseperiod": period,
        "promise": period.promises.first(),
        "followup": FollowUp.objects.filter(activity__promise__period=period).first(),
    }[model_name]
    app = "followup" if model_name == "followup" else "promises"
    url = reverse(f"admin:{app}_{model_name}_change", args=[obj.pk])
    form_id = f"{model_name}_form"
    anna_form = form_fields(anna.get(url).content.decode(), form_id)
    bo_form = form_fields(bo.get(url).content.decode(), form_id)
    assert anna_form["loaded_version"] == [str(obj.version)]
    text_field = {"promiseperiod": "title", "promise": "text", "followup": "account"}[model_name]

    anna_form[text_field] = ["Annas text"]
    assert anna.post(url, anna_form).status_code == 302
    bo_form[text_field] = ["Bos text"]
    response = bo.post(url, bo_form)
    assert response.status_code == 200  # the admin re-shows an invalid form
    page = response.content.decode()
    assert "Anna Andersson" in page and "Annas text" in page
    assert "Bos text" in page
    obj.refresh_from_db()
    assert getattr(obj, text_field) == "Annas text"
    assert obj.version == 2 if model_name != "followup" else obj.version >= 2
