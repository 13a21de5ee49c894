"""The permission matrix: every role × every admin view and action × own and other
municipality. Each cell is asserted allowed or denied, and a denied write changes nothing."""

import json
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followup.models import FollowUp, Measurement, TertialReport
from municipalities.models import Municipality
from promises.models import Activity, Indicator, Promise, PromisePeriod
from tests.factories import form_fields, make_member, other_period

ROLES = ["admin", "coordinator", "police", "publisher", "reviewer"]
A = set(ROLES)

# Which roles may do each thing in their own municipality. In another municipality only
# the national administrator ("admin") may do anything.
MATRIX = {
    "period_changelist_lists": A,
    "period_change_view": A,
    "period_change_post": {"admin", "coordinator"},
    "period_add_post": {"admin", "coordinator"},
    "period_history_view": A,
    "period_revert": {"admin", "coordinator"},
    "period_publish_action": {"admin", "publisher"},
    "period_unpublish_action": {"admin", "publisher"},
    "promise_change_post": {"admin", "coordinator"},
    "promise_history_view": A,
    "activity_add_post": {"admin", "coordinator"},
    "followup_changelist_lists": A,
    "followup_change_post_police_promise": {"admin", "coordinator", "police"},
    "followup_change_post_municipal_promise": {"admin", "coordinator"},
    "followup_history_view": A,
    "followup_revert": {"admin", "coordinator", "police"},
    "measurement_change_post": {"admin", "coordinator", "police"},
    "tertial_report_publish_action": {"admin", "publisher"},
    "period_autocomplete": {"admin", "coordinator"},
    "activity_autocomplete": {"admin", "coordinator", "police"},
    "tertial_screen_view": A,
    "tertial_screen_post": {"admin", "coordinator", "police"},
    "tertial_screen_publish": {"admin", "publisher"},
}
DENIED = {200, 302, 400, 403, 404}  # a denial never shows as a 500


def prepare(period, police_party):
    """Give `period` a police/joint promise and a municipal promise, each with an activity,
    a T1 follow-up, and (police) an indicator with a measurement; make it a draft."""
    police_promise = period.promises.filter(party=police_party).first()
    municipal_promise = period.promises.filter(party="municipality").first()
    police_activity = police_promise.activities.first()
    municipal_activity = municipal_promise.activities.first()
    for activity in (police_activity, municipal_activity):
        FollowUp.objects.get_or_create(activity=activity, year=2018, tertial=1,
                                       defaults={"account": "Ursprunglig text"})
    indicator = Indicator.objects.create(promise=police_promise, name="Antal", unit="st")
    Measurement.objects.create(indicator=indicator, year=2018, tertial=1, value=1)
    report = TertialReport.objects.create(period=period, year=2018, tertial=2)
    return {
        "period": period,
        "police_promise": police_promise,
        "police_followup": FollowUp.objects.get(activity=police_activity, year=2018, tertial=1),
        "municipal_followup": FollowUp.objects.get(activity=municipal_activity, year=2018,
                                                   tertial=1),
        "measurement": Measurement.objects.get(indicator=indicator),
        "report": TertialReport.objects.filter(period=period, year=2018, tertial=2).first()
        or report,
    }


@pytest.fixture
def world(katrineholm):
    own = katrineholm[2018]
    TertialReport.objects.filter(period=own, year=2018, tertial=2).delete()
    other = other_period(katrineholm)
    targets = {"own": prepare(own, "joint"), "other": prepare(other, "police")}
    root = User.objects.create_superuser("root", "root@example.org", "x" * 16)
    superuser = Client()
    superuser.force_login(root)
    return {"targets": targets, "superuser": superuser}


def member_client(role, period):
    if role == "admin":
        user = make_member("admin")
    elif role == "police":
        user = make_member("police", police_area=period.police_area)
    else:
        user = make_member(role, municipality=period.municipality)
    client = Client()
    client.force_login(user)
    return client


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def post_change(world, client, obj, changes):
    """POST the change form as the superuser sees it, with `changes`, as `client`."""
    url = change_url(obj)
    data = form_fields(world["superuser"].get(url).content.decode(), f"{obj._meta.model_name}_form")
    data.update({k: [v] for k, v in changes.items()})
    data["_save"] = ["Spara"]
    return client.post(url, data)


def run_action(client, model, action, obj, extra=None):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    data = {"action": action, "_selected_action": [obj.pk], "index": 0, **(extra or {})}
    if extra:
        data.pop("index")
    return client.post(url, data)


def refreshed(obj):
    return type(obj).objects.get(pk=obj.pk)


def check(case, world, client, t):
    """Do `case` against targets `t`; return whether it was allowed (and took effect)."""
    period = t["period"]
    if case == "period_changelist_lists":
        response = client.get(reverse("admin:promises_promiseperiod_changelist"))
        assert response.status_code in DENIED
        return response.status_code == 200 and period.title in response.content.decode()
    if case == "followup_changelist_lists":
        response = client.get(reverse("admin:followup_followup_changelist"))
        assert response.status_code in DENIED
        return response.status_code == 200 and change_url(t["police_followup"]) in (
            response.content.decode()
        )
    if case == "period_change_view":
        response = client.get(change_url(period))
        assert response.status_code in DENIED
        return response.status_code == 200
    if case in ("period_history_view", "promise_history_view", "followup_history_view"):
        obj = {"period": period, "promise": t["police_promise"],
               "followup": t["police_followup"]}[case.split("_")[0]]
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history",
                      args=[obj.pk])
        response = client.get(url)
        assert response.status_code in DENIED
        return response.status_code == 200
    if case == "period_change_post":
        response = post_change(world, client, period, {"title": "Ändrad titel"})
        assert response.status_code in DENIED
        return refreshed(period).title == "Ändrad titel"
    if case == "promise_change_post":
        response = post_change(world, client, t["police_promise"], {"text": "Ändrat löfte"})
        assert response.status_code in DENIED
        return refreshed(t["police_promise"]).text == "Ändrat löfte"
    if case.startswith("followup_change_post"):
        followup = t["police_followup" if case.endswith("police_promise") else "municipal_followup"]
        response = post_change(world, client, followup, {"account": "Ändrat konto"})
        assert response.status_code in DENIED
        return refreshed(followup).account == "Ändrat konto"
    if case == "measurement_change_post":
        response = post_change(world, client, t["measurement"], {"value": "42"})
        assert response.status_code in DENIED
        return refreshed(t["measurement"]).value == 42
    if case == "period_add_post":
        url = reverse("admin:promises_promiseperiod_add")
        data = form_fields(world["superuser"].get(url).content.decode(), "promiseperiod_form")
        data.update({
            "municipality": [str(period.municipality_id)],
            "police_area": [str(period.police_area_id)],
            "title": ["Nytt medborgarlöfte"], "valid_from": ["2030-01-01"],
            "valid_to": ["2030-12-31"], "_save": ["Spara"],
        })
        response = client.post(url, data)
        assert response.status_code in DENIED
        return PromisePeriod.objects.filter(title="Nytt medborgarlöfte",
                                            municipality=period.municipality).exists()
    if case == "activity_add_post":
        url = reverse("admin:promises_activity_add")
        data = form_fields(world["superuser"].get(url).content.decode(), "activity_form")
        data.update({"promise": [str(t["police_promise"].pk)], "text": ["Ny aktivitet"],
                     "order": ["1"], "_save": ["Spara"]})
        response = client.post(url, data)
        assert response.status_code in DENIED
        return Activity.objects.filter(promise=t["police_promise"], text="Ny aktivitet").exists()
    if case in ("period_revert", "followup_revert"):
        obj = period if case == "period_revert" else t["police_followup"]
        field, value = ("title", "Mellanversion") if obj is period else ("account", "Mellan")
        original = getattr(obj, field)
        setattr(obj, field, value)
        obj.save()
        oldest = obj.history.order_by("history_date").first()
        url = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_simple_history",
                      args=[obj.pk, oldest.history_id])
        page = world["superuser"].get(url).content.decode()
        form_id = re.search(r'<form[^>]*id="([^"]+_form)"', page).group(1)
        data = form_fields(page, form_id)
        data["_save"] = ["Spara"]
        response = client.post(url, data)
        assert response.status_code in DENIED
        return getattr(refreshed(obj), field) == original
    if case == "period_publish_action":
        PromisePeriod.objects.filter(pk=period.pk).update(status="draft", published_at=None)
        response = run_action(client, PromisePeriod, "publish_periods", period)
        assert response.status_code in DENIED
        return refreshed(period).status == "published"
    if case == "period_unpublish_action":
        PromisePeriod.objects.filter(pk=period.pk).update(status="published",
                                                          published_at=timezone.now())
        response = run_action(client, PromisePeriod, "unpublish_periods", period,
                              extra={"confirm": "yes", "reason": "Fel uppgifter"})
        assert response.status_code in DENIED
        return refreshed(period).status == "draft"
    if case == "tertial_report_publish_action":
        response = run_action(client, TertialReport, "publish_reports", t["report"])
        assert response.status_code in DENIED
        return refreshed(t["report"]).status == "published"
    if case in ("period_autocomplete", "activity_autocomplete"):
        source, field, target = {
            "period_autocomplete": ("tertialreport", "period", period.pk),
            "activity_autocomplete": ("followup", "activity", t["police_followup"].activity_id),
        }[case]
        response = client.get(reverse("admin:autocomplete"), {
            "app_label": "followup", "model_name": source, "field_name": field, "term": "",
        })
        assert response.status_code in DENIED
        if response.status_code != 200:
            return False
        return str(target) in {r["id"] for r in json.loads(response.content)["results"]}
    if case.startswith("tertial_screen"):
        url = reverse("admin:followup_tertial", args=[period.pk, 2018, 1])
        if case == "tertial_screen_view":
            response = client.get(url)
            assert response.status_code in DENIED
            return response.status_code == 200
        if case == "tertial_screen_publish":
            response = client.post(reverse("admin:followup_tertial_publish",
                                           args=[period.pk, 2018, 2]))
            assert response.status_code in DENIED
            return TertialReport.objects.filter(period=period, year=2018, tertial=2,
                                                status="published").exists()
        followup = t["police_followup"]
        data = form_fields(world["superuser"].get(url).content.decode(), "tertial-form")
        data[f"a{followup.activity_id}-account"] = ["Från skärmen"]
        response = client.post(url, data)
        assert response.status_code in DENIED
        return refreshed(followup).account == "Från skärmen"
    raise AssertionError(f"unknown case {case}")


@pytest.mark.parametrize("where", ["own", "other"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", sorted(MATRIX))
def test_permission_matrix(case, role, where, world):
    own_period = world["targets"]["own"]["period"]
    client = member_client(role, own_period)
    expected = role in MATRIX[case] and (where == "own" or role == "admin")
    allowed = check(case, world, client, world["targets"][where])
    assert allowed == expected, f"{role} {case} in {where} municipality"


def test_staff_without_membership_sees_no_app_and_no_rows(world):
    user = User.objects.create_user("nobody", is_staff=True)
    client = Client()
    client.force_login(user)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:promises_promiseperiod_changelist") not in index
    assert client.get(reverse("admin:promises_promiseperiod_changelist")).status_code == 403


def test_coordinator_sees_the_apps_in_the_admin_index(world):
    client = member_client("coordinator", world["targets"]["own"]["period"])
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:promises_promiseperiod_changelist") in index
    assert reverse("admin:followup_followup_changelist") in index
    # Memberships are for national administrators only.
    assert reverse("admin:municipalities_membership_changelist") not in index
    assert client.get(reverse("admin:municipalities_membership_changelist")).status_code == 403


def test_coordinator_may_not_pick_another_municipality_for_a_new_period(world):
    own = world["targets"]["own"]["period"]
    client = member_client("coordinator", own)
    page = client.get(reverse("admin:promises_promiseperiod_add")).content.decode()
    assert page.count("<option") < 10  # not all 290 municipalities
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "promises", "model_name": "promiseperiod", "field_name": "municipality",
        "term": "",
    })
    names = {r["text"] for r in json.loads(response.content)["results"]}
    assert names == {"Katrineholm"}
    flen = Municipality.objects.get(code="0482")
    assert flen.name not in names


def test_promise_focus_area_choices_are_the_promises_own_period(world):
    own = world["targets"]["own"]["period"]
    other = world["targets"]["other"]["period"]
    own.focus_areas.create(name="Eget fokus")
    other.focus_areas.create(name="Främmande fokus")
    client = member_client("coordinator", own)
    page = client.get(change_url(world["targets"]["own"]["police_promise"])).content.decode()
    assert "Eget fokus" in page
    assert "Främmande fokus" not in page


def test_unpublishing_requires_a_reason(world):
    period = world["targets"]["own"]["period"]
    client = member_client("publisher", period)
    response = run_action(client, PromisePeriod, "unpublish_periods", period,
                          extra={"confirm": "yes", "reason": "  "})
    assert response.status_code == 400
    assert refreshed(period).status == "published"


def test_internal_note_is_marked_internal_in_the_admin(world):
    followup = world["targets"]["own"]["police_followup"]
    page = world["superuser"].get(change_url(followup)).content.decode()
    assert "internal-note" in page
    assert "never published" in page or "publiceras aldrig" in page.lower()


def test_police_coordinator_never_reads_municipal_follow_ups_or_their_internal_notes(world):
    own = world["targets"]["own"]
    municipal = own["municipal_followup"]
    municipal.internal_note = "Namn på en anmälare"
    municipal.save()
    client = member_client("police", own["period"])
    listing = client.get(reverse("admin:followup_followup_changelist")).content.decode()
    assert change_url(own["police_followup"]) in listing
    assert change_url(municipal) not in listing
    response = client.get(change_url(municipal))
    assert response.status_code in {302, 403, 404}
    assert "Namn på en anmälare" not in response.content.decode()


def test_focus_areas_of_another_period_are_refused(world):
    own = world["targets"]["own"]
    other = world["targets"]["other"]["period"]
    foreign = other.focus_areas.create(name="Främmande fokus")
    promise = own["police_promise"]
    response = post_change(world, world["superuser"], promise, {"focus_areas": foreign.pk})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not promise.focus_areas.filter(pk=foreign.pk).exists()

    # On the add form the choices span every period the user may edit (the promise's
    # period is not known yet), so the form itself must check them against the period.
    url = reverse("admin:promises_promise_add")
    data = form_fields(world["superuser"].get(url).content.decode(), "promise_form")
    period = own["period"]
    data.update({"period": [period.pk], "party": ["police"], "order": [9],
                 "text": ["Ett nytt löfte"], "focus_areas": [foreign.pk], "_save": ["Spara"]})
    response = world["superuser"].post(url, data)
    assert response.status_code == 200
    assert "Främmande fokus" in response.content.decode()
    assert not Promise.objects.filter(text="Ett nytt löfte").exists()


@pytest.mark.parametrize("suffix", ["abc/history/", "abc/history/1/", "1/history/x/"])
def test_malformed_ids_in_history_addresses_answer_404(world, suffix):
    promise = world["targets"]["own"]["police_promise"]
    base = reverse("admin:promises_promise_changelist")
    if suffix.startswith("1/"):
        suffix = suffix.replace("1/", f"{promise.pk}/", 1)
    path = base + suffix
    assert world["superuser"].get(path).status_code == 404
