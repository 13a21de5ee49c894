"""The tertial screen: every promise of a period with its own row and its activities and
indicators beneath, the tertials the period overlaps, one save for the whole tertial (all or
nothing), each user's own rows, corrections marked once the tertial is public, and a query
count that does not grow with the period."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followup.models import FollowUp, TertialReport
from followup.tertials import Tertial
from municipalities.models import Municipality
from promises.models import Activity, Indicator, Promise, PromisePeriod
from tests.factories import (
    add_promise, form_fields, make_member, make_period, other_period, police_area_for,
)


def screen_url(period, year, tertial):
    return reverse("admin:followup_tertial", args=[period.pk, year, tertial])


def key(subject):
    """The prefix of a subject's row on the screen: p12, a5, i3."""
    return {Promise: "p", Activity: "a", Indicator: "i"}[type(subject)] + str(subject.pk)


def new_period(municipality, valid_from, valid_to, *, title, published=False):
    period = PromisePeriod.objects.create(
        police_area=police_area_for(municipality), title=title,
        valid_from=valid_from, valid_to=valid_to,
        status="published" if published else "draft",
        published_at=timezone.now() if published else None,
    )
    period.municipalities.add(municipality)
    return period


@pytest.fixture
def place(db):
    return Municipality.objects.get(code="0428")


@pytest.fixture
def period(place):
    """A published 2024 period whose T1 report is published. Its promises, in the
    document's order: a municipality promise with a numeric target, activities of the
    police and of the promise's party and indicators of the promise's party and joint; a
    police promise; a joint promise with no activities and a target in words only; and a
    municipality promise with nothing beneath it."""
    period = new_period(place, datetime.date(2024, 1, 1), datetime.date(2024, 12, 31),
                        title="Medborgarlöfte Vingåker 2024", published=True)
    add_promise(
        period, "municipality", "Fler trygghetsvandringar", order=1,
        target=("at_least", 4),
        activities=[("Vandring i centrum", "police"), ("Vandring i Marmorbyn", "", 2)],
        indicators=[("Anmälda brott", ""), ("Otrygghet i enkäten", "joint")],
    )
    add_promise(period, "police", "Synlig polis", order=2,
                activities=[("Föreläsning i skolan", "municipality"), ("Fotpatrull", "")])
    joint = add_promise(period, "joint", "Tryggare kvällar", order=3)
    joint.target_text = "fler trygga platser"
    joint.save()
    add_promise(period, "municipality", "Belysning i parken", order=4)
    TertialReport.objects.create(period=period, year=2024, tertial=1, status="published",
                                 published_at=timezone.now())
    return period


def subjects(period):
    """The period's promises, each followed by its activities and indicators: the
    document's order, as the screen must show it."""
    ordered = []
    for promise in period.promises.order_by("order", "pk"):
        ordered += [promise, *promise.activities.order_by("order", "pk"),
                    *promise.indicators.order_by("order", "pk")]
    return ordered


def by_text(text):
    for model in (Promise, Activity):
        found = model.objects.filter(text=text).first()
        if found:
            return found
    return Indicator.objects.get(name=text)


@pytest.fixture
def coordinator(period, client):
    user = make_member("coordinator", municipality=period.municipalities.get())
    client.force_login(user)
    return user


def test_every_promise_has_its_own_row_with_its_activities_and_indicators_beneath(
    period, coordinator, client
):
    response = client.get(screen_url(period, 2024, 2))
    assert response.status_code == 200
    page = response.content.decode()
    positions = [page.index(f'id="row-{key(subject)}"') for subject in subjects(period)]
    assert positions == sorted(positions)
    assert len(positions) == 10
    for promise in period.promises.all():
        group = page.index(f'id="promise-{promise.pk}"')
        assert group < page.index(f'id="row-{key(promise)}"')
        for field in ("status", "account", "internal_note"):
            assert f'for="id_{key(promise)}-{field}"' in page
    assert page.count('type="submit" class="default"') == 1


def test_value_is_asked_only_where_the_target_is_a_number_and_always_for_indicators(
    period, coordinator, client
):
    page = client.get(screen_url(period, 2024, 2)).content.decode()
    asks_value = {key(subject) for subject in subjects(period) if f'name="{key(subject)}-value"'
                  in page}
    assert asks_value == {key(by_text(text)) for text in [
        "Fler trygghetsvandringar", "Vandring i Marmorbyn", "Anmälda brott",
        "Otrygghet i enkäten",
    ]}


def test_a_promise_without_activities_is_followed_up_on_its_own_row(
    period, coordinator, client
):
    promise = by_text("Tryggare kvällar")
    assert not promise.activities.exists() and not promise.indicators.exists()
    data = form_fields(client.get(screen_url(period, 2024, 2)).content.decode(), "tertial-form")
    data[f"{key(promise)}-status"] = "completed"
    data[f"{key(promise)}-account"] = "Fyra kvällsvandringar i centrum"
    assert client.post(screen_url(period, 2024, 2), data).status_code == 302
    followup = FollowUp.objects.get(promise=promise, activity=None, indicator=None,
                                    year=2024, tertial=2)
    assert (followup.status, followup.account) == ("completed", "Fyra kvällsvandringar i centrum")
    assert followup.updated_by == coordinator
    assert FollowUp.objects.count() == 1


def test_saving_the_whole_tertial_in_one_post(period, coordinator, client):
    promise, activity, indicator = (by_text("Fler trygghetsvandringar"),
                                    by_text("Vandring i Marmorbyn"), by_text("Anmälda brott"))
    data = form_fields(client.get(screen_url(period, 2024, 3)).content.decode(), "tertial-form")
    data[f"{key(promise)}-status"] = "ongoing"
    data[f"{key(promise)}-value"] = "3"
    data[f"{key(activity)}-account"] = "Nytt tertial 3-konto"
    data[f"{key(activity)}-internal_note"] = "Namn på en person"
    data[f"{key(activity)}-value"] = "2,5"  # as a Swede types it
    data[f"{key(indicator)}-value"] = "7,5"
    response = client.post(screen_url(period, 2024, 3), data)
    assert response.status_code == 302
    saved = {f.subject: f for f in FollowUp.objects.filter(year=2024, tertial=3)}
    assert set(saved) == {promise, activity, indicator}
    assert (saved[promise].status, str(saved[promise].value)) == ("ongoing", "3.00")
    assert saved[activity].account == "Nytt tertial 3-konto"
    assert saved[activity].internal_note == "Namn på en person"
    assert str(saved[activity].value) == "2.50"
    assert str(saved[indicator].value) == "7.50"
    for followup in saved.values():
        assert followup.updated_by == coordinator
        assert followup.history.first().history_user == coordinator


def test_one_invalid_row_saves_nothing_and_keeps_everything_typed(period, coordinator, client):
    first, second = by_text("Vandring i centrum"), by_text("Vandring i Marmorbyn")
    indicator = by_text("Anmälda brott")
    FollowUp.objects.create(promise=first.promise, activity=first, year=2024, tertial=3,
                            account="Sparat förut")
    data = form_fields(client.get(screen_url(period, 2024, 3)).content.decode(), "tertial-form")
    data[f"{key(first)}-account"] = "Text som inte får försvinna"
    data[f"{key(second)}-status"] = "no-such-status"
    data[f"{key(indicator)}-value"] = "sju"
    before = list(FollowUp.objects.order_by("pk").values_list("account", "version"))
    response = client.post(screen_url(period, 2024, 3), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Text som inte får försvinna" in page
    assert re.search(rf'class="[^"]*has-errors[^"]*" id="row-{key(second)}"', page)
    assert re.search(rf'class="[^"]*has-errors[^"]*" id="row-{key(indicator)}"', page)
    assert 'value="sju"' in page
    assert 'id="error-summary"' in page
    assert list(FollowUp.objects.order_by("pk").values_list("account", "version")) == before


def test_the_previous_tertial_is_shown_beside_the_current_one(period, coordinator, client):
    activity = by_text("Vandring i centrum")
    FollowUp.objects.create(promise=activity.promise, activity=activity, year=2024, tertial=1,
                            status="ongoing", account="Förra tertialets redovisning")
    second = client.get(screen_url(period, 2024, 2))
    assert second.context["sheet"].previous_tertial == Tertial(2024, 1)
    row = second.content.decode().split(f'id="row-{key(activity)}"')[1].split("</fieldset>")[0]
    assert "Förra tertialets redovisning" in row.split('class="current"')[0]
    # The first tertial of the period has no previous one, not even the year before.
    first = client.get(screen_url(period, 2024, 1))
    assert first.context["sheet"].previous_tertial is None
    assert 'class="previous-account' not in first.content.decode()


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "shown"),
    [
        ("2025-09-01", "2025-12-31", [(2025, 3)]),
        ("2025-10-15", "2025-11-30", [(2025, 3)]),
        ("2024-09-01", "2025-04-30", [(2024, 3), (2025, 1)]),
        ("2024-03-01", "2024-06-30", [(2024, 1), (2024, 2)]),
    ],
)
def test_a_period_shows_only_the_tertials_it_overlaps(
    place, client, valid_from, valid_to, shown
):
    period = new_period(place, datetime.date.fromisoformat(valid_from),
                        datetime.date.fromisoformat(valid_to), title="Kort medborgarlöfte")
    add_promise(period, "joint", "Ett kort löfte", activities=[("En aktivitet", "")])
    client.force_login(make_member("coordinator", municipality=place))
    first = client.get(screen_url(period, *shown[0]))
    assert first.status_code == 200
    assert [(t.year, t.number) for t, _url, _current in first.context["tertial_links"]] == shown
    assert first.context["sheet"].previous_tertial is None
    assert 'class="previous-account' not in first.content.decode()
    if len(shown) > 1:
        second = client.get(screen_url(period, *shown[1]))
        assert second.context["sheet"].previous_tertial == Tertial(*shown[0])
    for year in {shown[0][0] - 1, shown[0][0], shown[-1][0], shown[-1][0] + 1}:
        for number in (1, 2, 3):
            if (year, number) not in shown:
                assert client.get(screen_url(period, year, number)).status_code == 404
    # Asking for a tertial outside the period shows one inside it, with a warning.
    outside = next((y, n) for y in (shown[0][0],) for n in (1, 2, 3) if (y, n) not in shown)
    response = client.get(reverse("admin:followup_tertial_choose"),
                          {"period": period.pk, "year": outside[0], "tertial": outside[1]})
    assert response.status_code == 302
    assert response["Location"] in {screen_url(period, *t) for t in shown}


def test_default_tertial_is_the_periods_last_once_it_has_ended(period, coordinator, client):
    response = client.get(reverse("admin:followup_tertial_default", args=[period.pk]))
    assert response.status_code == 302
    assert response["Location"] == screen_url(period, 2024, 3)


@pytest.mark.parametrize(("year", "number"), [(2023, 3), (2025, 1), (2024, 4), (2024, 0)])
def test_a_tertial_outside_the_period_is_404(period, coordinator, client, year, number):
    assert client.get(screen_url(period, year, number)).status_code == 404


def test_choose_page_lists_only_own_periods(period, coordinator, client):
    flen = other_period(None)
    page = client.get(reverse("admin:followup_tertial_choose")).content.decode()
    assert period.title in page
    assert flen.title not in page
    response = client.get(reverse("admin:followup_tertial_choose"), {"period": flen.pk})
    assert response.status_code == 400


def test_choose_redirects_to_the_chosen_tertial(period, coordinator, client):
    response = client.get(
        reverse("admin:followup_tertial_choose"), {"period": period.pk, "year": 2024, "tertial": 2}
    )
    assert response["Location"] == screen_url(period, 2024, 2)


def test_coordinator_cannot_open_or_post_another_municipalitys_screen(period, coordinator, client):
    flen = other_period(None)
    assert client.get(screen_url(flen, 2018, 1)).status_code == 404
    promise = flen.promises.first()
    activity = promise.activities.first()
    response = client.post(screen_url(flen, 2018, 1), {
        f"{key(activity)}-status": "ongoing", f"{key(activity)}-account": "intrång",
        f"{key(promise)}-account": "intrång",
    })
    assert response.status_code == 404
    assert not FollowUp.objects.filter(promise__period=flen).exists()


def test_rows_of_other_periods_posted_into_the_form_are_ignored(period, coordinator, client):
    flen = other_period(None)
    promise = flen.promises.first()
    activity = promise.activities.first()
    data = form_fields(client.get(screen_url(period, 2024, 3)).content.decode(), "tertial-form")
    data[f"{key(activity)}-status"] = "ongoing"
    data[f"{key(activity)}-account"] = "intrång"
    data[f"{key(promise)}-account"] = "intrång"
    client.post(screen_url(period, 2024, 3), data)
    assert not FollowUp.objects.filter(promise__period=flen).exists()


# Rows the police report: the subject's own named party, else the promise's; joint counts.
POLICE_ROWS = ["Vandring i centrum", "Otrygghet i enkäten", "Synlig polis", "Fotpatrull",
               "Tryggare kvällar"]


@pytest.mark.parametrize("membership", ["police_area", "municipality"])
def test_police_coordinator_sees_and_enters_only_the_rows_the_police_report(
    period, client, membership
):
    place = {"police_area": period.police_area,
             "municipality": period.municipalities.get()}[membership]
    police = make_member("police", **{membership: place})
    client.force_login(police)
    response = client.get(screen_url(period, 2024, 2))
    assert response.status_code == 200
    page = response.content.decode()
    expected = {key(by_text(text)) for text in POLICE_ROWS}
    shown = {key(s) for s in subjects(period) if f'id="row-{key(s)}"' in page}
    assert shown == expected
    assert response.context["sheet"].hidden == len(subjects(period)) - len(expected)
    # The promise with nothing the police report is left out altogether.
    assert f'id="promise-{by_text("Belysning i parken").pk}"' not in page

    data = form_fields(page, "tertial-form")
    for text in ["Vandring i centrum", "Synlig polis", "Tryggare kvällar"]:
        data[f"{key(by_text(text))}-account"] = f"Polisens redovisning: {text}"
    for text in ["Vandring i Marmorbyn", "Fler trygghetsvandringar", "Belysning i parken"]:
        data[f"{key(by_text(text))}-account"] = "Smugglat in av polisen"
    assert client.post(screen_url(period, 2024, 2), data).status_code == 302
    saved = {f.subject: f.account for f in FollowUp.objects.filter(year=2024, tertial=2)}
    assert {str(subject): account for subject, account in saved.items()} == {
        text: f"Polisens redovisning: {text}"
        for text in ["Vandring i centrum", "Synlig polis", "Tryggare kvällar"]
    }
    # The rules, the querysets and the screen agree on which rows are the police's.
    for subject in subjects(period):
        FollowUp.objects.create(
            promise=getattr(subject, "promise", subject), year=2024, tertial=3,
            **{type(subject)._meta.model_name: subject} if type(subject) is not Promise else {},
        )
    for rows in (FollowUp.objects.editable_by(police), FollowUp.objects.readable_by(police)):
        assert {key(f.subject) for f in rows.filter(tertial=3)} == expected


def test_reviewer_reads_the_screen_but_cannot_save(period, client):
    reviewer = make_member("reviewer", municipality=period.municipalities.get())
    activity = by_text("Vandring i centrum")
    FollowUp.objects.create(promise=activity.promise, activity=activity, year=2024, tertial=3,
                            account="Som det var")
    client.force_login(reviewer)
    page = client.get(screen_url(period, 2024, 3)).content.decode()
    assert "disabled" in page
    assert 'type="submit" class="default"' not in page
    response = client.post(screen_url(period, 2024, 3), {
        f"{key(activity)}-status": "ongoing", f"{key(activity)}-account": "x",
    })
    assert response.status_code == 403
    assert FollowUp.objects.get(activity=activity).account == "Som det var"


def test_screen_is_linked_from_the_admin_index_and_the_period(period, coordinator, client):
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:followup_tertial_choose") in index
    change = client.get(reverse("admin:promises_promiseperiod_change", args=[period.pk]))
    assert reverse("admin:followup_tertial_default", args=[period.pk]) in change.content.decode()
    changelist = client.get(reverse("admin:promises_promiseperiod_changelist")).content.decode()
    assert reverse("admin:followup_tertial_default", args=[period.pk]) in changelist


def test_rows_left_empty_create_no_follow_up(period, coordinator, client):
    data = form_fields(client.get(screen_url(period, 2024, 3)).content.decode(), "tertial-form")
    assert all(data[f"{key(s)}-version"] == [""] for s in subjects(period))
    response = client.post(screen_url(period, 2024, 3), data)
    assert response.status_code == 302
    assert not FollowUp.objects.exists()


# Corrections ------------------------------------------------------------------------------

def test_changes_after_the_tertial_is_published_are_marked_as_corrections(
    period, coordinator, client
):
    activity, promise = by_text("Vandring i centrum"), by_text("Synlig polis")
    FollowUp.objects.create(promise=activity.promise, activity=activity, year=2024, tertial=1,
                            status="ongoing", account="Två vandringar")
    data = form_fields(client.get(screen_url(period, 2024, 1)).content.decode(), "tertial-form")
    data[f"{key(activity)}-account"] = "Tre vandringar"
    data[f"{key(activity)}-status"] = "completed"
    data[f"{key(promise)}-internal_note"] = "Bara internt"
    response = client.post(screen_url(period, 2024, 1), data)
    assert response.status_code == 302
    corrected = FollowUp.objects.get(activity=activity, tertial=1)
    assert corrected.corrected_at is not None
    assert "Två vandringar" in corrected.correction and "Tre vandringar" in corrected.correction
    # An internal note is never public, so changing it corrects nothing citizens saw.
    note = FollowUp.objects.get(promise=promise, activity=None, indicator=None, tertial=1)
    assert (note.corrected_at, note.correction) == (None, "")
    page = client.get(response["Location"]).content.decode()
    row = page.split(f'id="row-{key(activity)}"')[1].split("</fieldset>")[0]
    assert 'class="correction"' in row and "Tre vandringar" in row


def test_changes_before_the_tertial_is_published_are_not_corrections(
    period, coordinator, client
):
    activity = by_text("Vandring i centrum")
    FollowUp.objects.create(promise=activity.promise, activity=activity, year=2024, tertial=2,
                            account="Två vandringar")
    data = form_fields(client.get(screen_url(period, 2024, 2)).content.decode(), "tertial-form")
    data[f"{key(activity)}-account"] = "Tre vandringar"
    assert client.post(screen_url(period, 2024, 2), data).status_code == 302
    followup = FollowUp.objects.get(activity=activity, tertial=2)
    assert (followup.account, followup.corrected_at, followup.correction) == (
        "Tre vandringar", None, "")
    assert 'class="correction"' not in client.get(screen_url(period, 2024, 2)).content.decode()


# Queries ----------------------------------------------------------------------------------

# In all, with what every admin page costs the same user (the session, the user, their
# memberships): the period with its police area, its report for the tertial and the
# chooser's periods (one query), its municipalities, the follow-ups, promises, activities
# and indicators, and where both parties approve a report not yet published, its
# approvals. 9 or 10, the same for one promise as for the largest period.
SCREEN_BUDGET = 10
# Each changed row: its versioned update (the claim on its version and the write in one
# statement); the new rows and every history row are written together.
PER_ROW_BUDGET = 1


def count_queries(client, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url) if data is None else client.post(url, data)
    assert response.status_code in {200, 302}, url
    return len(captured)


@pytest.fixture
def small_and_largest(db):
    """One promise and nothing else; and as large as the dataset generator makes a period
    (ten promises, six activities and two indicators each, two years)."""
    return (make_period(promises=1, activities=0, indicators=0, years=1),
            make_period(promises=10, activities=6, indicators=2, years=2))


@pytest.mark.parametrize("role", ["coordinator", "police", "superuser"])
def test_the_screen_opens_in_the_same_few_queries_for_the_largest_period(
    small_and_largest, client, django_user_model, role
):
    small, largest = small_and_largest
    if role == "superuser":
        user = django_user_model.objects.create_superuser("root", "root@example.org", "x" * 16)
    for period in (small, largest):
        place = ({"municipality": period.municipalities.get()} if role == "coordinator"
                 else {"police_area": period.police_area})
        if role != "superuser":
            user = make_member(role, username=role, **place)
    client.force_login(user)
    admin_own = count_queries(client, reverse("admin:password_change_done"))
    urls = [screen_url(period, 2024, 2) for period in (small, largest)]
    client.get(urls[0])  # anything cached once per process is cached
    small_count, large_count = (count_queries(client, url) for url in urls)
    assert small_count == large_count
    assert admin_own == (2 if role == "superuser" else 3)
    assert large_count <= SCREEN_BUDGET


@pytest.mark.parametrize("role", ["coordinator", "publisher"])
def test_the_screen_of_a_report_awaiting_both_parties_stays_within_the_budget(
    small_and_largest, client, settings, role
):
    """The costliest state: both parties approve reports, and the shown tertial's report is
    a draft, so the screen says whose approval it waits for (its approvals, read once)."""
    settings.PORTAL_DUAL_APPROVAL = True
    for period in small_and_largest:
        TertialReport.objects.update_or_create(period=period, year=2024, tertial=3, defaults={
            "status": "draft", "published_at": None})
        user = make_member(role, username=role, municipality=period.municipalities.get())
    client.force_login(user)
    urls = [screen_url(period, 2024, 3) for period in small_and_largest]
    client.get(urls[0])
    small_count, large_count = (count_queries(client, url) for url in urls)
    assert small_count == large_count <= SCREEN_BUDGET
    page = client.get(urls[1]).content.decode()
    assert "Väntar på godkännande från" in page


def test_a_save_costs_the_same_queries_for_each_changed_row(small_and_largest, client):
    _small, largest = small_and_largest
    client.force_login(make_member("coordinator", municipality=largest.municipalities.get()))
    url = screen_url(largest, 2024, 2)
    costs = {}
    for changed in (1, 2, 10):
        data = form_fields(client.get(url).content.decode(), "tertial-form")
        accounts = sorted(name for name in data if name.endswith("-account"))[:changed]
        for name in accounts:
            data[name] = f"Ändrat i omgång {changed}"
        costs[changed] = count_queries(client, url, data)
    assert FollowUp.objects.filter(account="Ändrat i omgång 10").count() == 10
    per_row = costs[2] - costs[1]
    assert costs[10] - costs[1] == 9 * per_row
    assert per_row <= PER_ROW_BUDGET
    # Opening the screen plus a few: the report's state, the lock, the history rows, the
    # report's mark, the transaction.
    assert costs[1] - count_queries(client, url) <= 6 + PER_ROW_BUDGET


def test_a_save_of_new_rows_inserts_them_together(db, client):
    """Rows nobody had entered are inserted in one statement, whatever their number."""
    largest = make_period(promises=10, activities=6, indicators=2, published=False, reports=())
    client.force_login(make_member("coordinator", municipality=largest.municipalities.get()))
    url = screen_url(largest, 2024, 3)
    costs = {}
    for changed in (1, 10):
        FollowUp.objects.filter(promise__period=largest, year=2024, tertial=3).delete()
        data = form_fields(client.get(url).content.decode(), "tertial-form")
        for name in sorted(name for name in data if name.endswith("-account"))[:changed]:
            data[name] = f"Nytt i omgång {changed}"
        costs[changed] = count_queries(client, url, data)
        assert FollowUp.objects.filter(account=f"Nytt i omgång {changed}").count() == changed
    assert costs[10] == costs[1]
    followup = FollowUp.objects.filter(account="Nytt i omgång 10").first()
    assert followup.history.get().history_type == "+"
