"""No lost updates: two people editing the same row; the second save is refused, shows the
first person's version, and saves nothing. On the tertial screen, on every admin change
form of a versioned model, and in the period form's promise inline."""

import html
import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from followup.models import FollowUp, TertialReport, YearEndComment
from municipalities.models import Municipality
from municipalities.versioning import VersionedModel
from promises.models import (
    Activity, Agreement, AgreementSection, FocusArea, Indicator, PeriodMunicipality, Priority,
    Promise, PromisePeriod, Signatory, SigningKey,
)
from tests.factories import add_promise, form_fields, make_member, make_period, police_area_for

ANNA = "Anna Andersson"


@pytest.fixture
def period(db):
    """A published 2024 period with a priority, a focus area, a signatory and one promise
    with an activity and an indicator, their follow-up, a published T1 report and a
    year-end comment; an agreement with a section; and the police area's signing key."""
    municipality = Municipality.objects.get(code="0428")
    period = PromisePeriod.objects.create(
        police_area=police_area_for(municipality), title="Medborgarlöfte Vingåker 2024",
        valid_from="2024-01-01", valid_to="2024-12-31", status="published",
        published_at=timezone.now(),
    )
    period.municipalities.add(municipality)
    Priority.objects.create(period=period, order=1, text="Tryggare centrum")
    FocusArea.objects.create(period=period, order=1, name="Unga")
    Signatory.objects.create(period=period, party="police", name="Anna Polis", title="Chef")
    promise = add_promise(period, "joint", "Fler trygghetsvandringar",
                          activities=[("Vandring i centrum", "")],
                          indicators=[("Anmälda brott", "")])
    activity = promise.activities.get()
    for tertial in (2, 3):
        FollowUp.objects.create(promise=promise, year=2024, tertial=tertial,
                                account=f"Löftet T{tertial}")
        FollowUp.objects.create(promise=promise, activity=activity, year=2024,
                                tertial=tertial, account=f"Vandringen T{tertial}")
    TertialReport.objects.create(period=period, year=2024, tertial=1, status="published",
                                 published_at=timezone.now())
    YearEndComment.objects.create(promise=promise, year=2024, text="Året gick bra.")
    agreement = Agreement.objects.create(
        police_area=period.police_area, title="Samverkansöverenskommelse Vingåker",
        valid_from="2023-01-01", valid_to="2026-12-31",
    )
    agreement.municipalities.add(municipality)
    AgreementSection.objects.create(agreement=agreement, order=1, heading="Bakgrund",
                                    text="Kommunen och polisen samverkar.")
    SigningKey.objects.create(police_area=period.police_area, kind="pkcs11",
                              pkcs11_module="/usr/lib/softhsm/libsofthsm2.so",
                              pkcs11_token="Polisens token", pkcs11_key="sigill")
    return period


def person(username, first_name, last_name, role, **place):
    user = make_member(role, username=username, **place)
    user.first_name, user.last_name = first_name, last_name
    user.save()
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def coordinators(period):
    """Anna and Bo, coordinators of the period's municipality."""
    place = {"municipality": period.municipalities.get()}
    return (person("anna", "Anna", "Andersson", "coordinator", **place),
            person("bo", "Bo", "Berg", "coordinator", **place))


@pytest.fixture
def administrators(period):
    """Anna and Bo as national administrators (signing keys are theirs alone)."""
    return (person("anna-admin", "Anna", "Andersson", "admin"),
            person("bo-admin", "Bo", "Berg", "admin"))


def conflict_messages(page):
    """The text of every error list and refused row on the page."""
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    found += re.findall(r'<div class="conflict errornote"[^>]*>(.*?)</div>', page, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", " ", text)) for text in found]


def shows_their_version(page, name, value):
    return any(name in message and value in message for message in conflict_messages(page))


# The tertial screen -----------------------------------------------------------------------

def screen(period, tertial=2):
    return reverse("admin:followup_tertial", args=[period.pk, 2024, tertial])


def test_second_save_of_the_same_row_on_the_tertial_screen_is_refused(period, coordinators):
    anna, bo = coordinators
    activity = Activity.objects.get(promise__period=period)
    promise = period.promises.get()
    url = screen(period)
    anna_form = form_fields(anna.get(url).content.decode(), "tertial-form")
    bo_form = form_fields(bo.get(url).content.decode(), "tertial-form")

    anna_form[f"a{activity.pk}-account"] = ["Annas version av kontot"]
    assert anna.post(url, anna_form).status_code == 302

    bo_form[f"a{activity.pk}-account"] = ["Bos version av kontot"]
    bo_form[f"p{promise.pk}-account"] = ["Bos andra rad"]
    response = bo.post(url, bo_form)
    assert response.status_code == 409
    page = response.content.decode()
    # The refused row shows Anna's version, who and what; Bo's text is kept in the form.
    assert shows_their_version(page, ANNA, "Annas version av kontot")
    assert "Bos version av kontot" in page and "Bos andra rad" in page
    assert FollowUp.objects.get(activity=activity, tertial=2).account == "Annas version av kontot"
    # All or nothing: Bo's other row was not saved either.
    assert FollowUp.objects.get(promise=promise, activity=None, indicator=None,
                                tertial=2).account == "Löftet T2"
    assert not FollowUp.objects.filter(tertial=2, account__startswith="Bos").exists()

    # Saving again after seeing Anna's version is Bo's deliberate choice, and works.
    again = form_fields(page, "tertial-form")
    assert bo.post(url, again).status_code == 302
    assert FollowUp.objects.get(activity=activity, tertial=2).account == "Bos version av kontot"
    assert FollowUp.objects.get(promise=promise, activity=None, indicator=None,
                                tertial=2).account == "Bos andra rad"


def test_two_people_entering_the_same_new_row(period, coordinators):
    anna, bo = coordinators
    promise = add_promise(period, "joint", "Ett nytt löfte", order=9)
    url = screen(period, 3)
    anna_form = form_fields(anna.get(url).content.decode(), "tertial-form")
    bo_form = form_fields(bo.get(url).content.decode(), "tertial-form")
    assert anna_form[f"p{promise.pk}-version"] == [""]
    anna_form[f"p{promise.pk}-account"] = ["Anna först"]
    bo_form[f"p{promise.pk}-account"] = ["Bo sen"]
    assert anna.post(url, anna_form).status_code == 302
    response = bo.post(url, bo_form)
    assert response.status_code == 409
    assert shows_their_version(response.content.decode(), ANNA, "Anna först")
    assert FollowUp.objects.get(promise=promise, activity=None, indicator=None,
                                tertial=3).account == "Anna först"


def test_a_row_removed_meanwhile_is_refused_and_entered_anew_on_the_next_save(db, coordinators):
    anna, bo = coordinators
    draft = make_period(Municipality.objects.get(code="0428"), year=2025, promises=1,
                        activities=1, indicators=0, published=False, reports=())
    activity = Activity.objects.get(promise__period=draft)
    url = reverse("admin:followup_tertial", args=[draft.pk, 2025, 1])
    bo_form = form_fields(bo.get(url).content.decode(), "tertial-form")
    FollowUp.objects.get(activity=activity, tertial=1).delete()
    bo_form[f"a{activity.pk}-account"] = ["Bos text"]
    response = bo.post(url, bo_form)
    assert response.status_code == 409
    assert not FollowUp.objects.filter(activity=activity, tertial=1).exists()
    assert bo.post(url, form_fields(response.content.decode(), "tertial-form")).status_code == 302
    assert FollowUp.objects.get(activity=activity, tertial=1).account == "Bos text"


# Every versioned model, in pairs ----------------------------------------------------------

@dataclass
class Target:
    """A way to edit one row: an admin change form (or an inline in one, or the tertial
    screen), the control to change, and the row it changes."""

    model: type
    row: object  # the model instance the pair edits
    url: str
    form_id: str
    field: str  # the model field changed
    inline: str = ""  # the prefix of the inline the row is in
    control: str = ""  # the form control, when it is not named after the field
    refused_status: int = 200  # the admin shows a refused form again; the screen says 409
    administrators: bool = False

    def control_in(self, fields):
        if self.control:
            return self.control
        if not self.inline:
            return self.field
        for name, values in fields.items():
            match = re.fullmatch(rf"{self.inline}-(\d+)-id", name)
            if match and values == [str(self.row.pk)]:
                return f"{self.inline}-{match[1]}-{self.field}"
        raise AssertionError(f"{self.row!r} is not in the {self.inline} inline")

    def stored(self):
        return getattr(type(self.row)._base_manager.get(pk=self.row.pk), self.field)


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def targets(period):
    agreement = Agreement.objects.get(police_area=period.police_area)
    promise = period.promises.first()
    activity = Activity.objects.filter(promise__period=period).first()

    def admin_form(obj, field, **extra):
        return Target(type(obj), obj, change_url(obj), f"{obj._meta.model_name}_form",
                      field, **extra)

    return [
        admin_form(period.police_area, "name"),
        admin_form(agreement, "title"),
        Target(AgreementSection, agreement.sections.get(), change_url(agreement),
               "agreement_form", "heading", inline="sections"),
        admin_form(period, "title"),
        admin_form(period.priorities.first(), "text"),
        admin_form(period.focus_areas.first(), "name"),
        admin_form(period.signatories.first(), "name"),
        admin_form(promise, "text"),
        Target(Promise, promise, change_url(period), "promiseperiod_form",
               "text", inline="promises"),
        admin_form(activity, "text"),
        admin_form(Indicator.objects.filter(promise__period=period).first(), "name"),
        admin_form(FollowUp.objects.get(activity=activity, tertial=3), "account"),
        Target(FollowUp, FollowUp.objects.get(activity=activity, tertial=2), screen(period),
               "tertial-form", "account", control=f"a{activity.pk}-account",
               refused_status=409),
        admin_form(TertialReport.objects.get(period=period, tertial=1), "summary"),
        admin_form(YearEndComment.objects.get(promise=promise), "text"),
        admin_form(SigningKey.objects.get(), "pkcs11_token", administrators=True),
    ]


def saved_state(target):
    """Everything a refused save must leave as it was: every versioned model's history, the
    row itself and the periods' municipalities."""
    history = {model: model.history.count() for model in apps.get_models()
               if issubclass(model, VersionedModel)}
    row = type(target.row)._base_manager.filter(pk=target.row.pk).values().get()
    return history, row, sorted(PeriodMunicipality.objects.values_list("pk", "period_id",
                                                                        "municipality_id"))


def conflicting_pair(target, number, people, *, bo_loads_his_own=True):
    """Anna and Bo have loaded the same form; Anna saves first. Past the first round over
    every model, Bo's form is a copy of the page Anna loaded (the same version of the row,
    which is what the conflict is about), sparing an admin page's rendering per pair."""
    anna, bo = people
    anna_form = form_fields(anna.get(target.url).content.decode(), target.form_id)
    if bo_loads_his_own:
        bo_form = form_fields(bo.get(target.url).content.decode(), target.form_id)
    else:
        bo_form = {name: list(values) for name, values in anna_form.items()}
    control = target.control_in(anna_form)
    anna_value, bo_value = f"Annas ändring {number}", f"Bos ändring {number}"

    anna_form[control] = [anna_value]
    first = anna.post(target.url, anna_form)
    assert first.status_code == 302, (target.model, conflict_messages(first.content.decode()))
    assert target.stored() == anna_value
    before = saved_state(target)

    bo_form[control] = [bo_value]
    second = bo.post(target.url, bo_form)
    assert second.status_code == target.refused_status, target.model
    page = second.content.decode()
    assert shows_their_version(page, ANNA, anna_value), (target.model, conflict_messages(page))
    assert bo_value in page  # his text is kept for him to compare
    assert saved_state(target) == before, f"{target.model.__name__}: something was saved"


def test_conflicting_pairs_over_every_versioned_model_100_on_postgresql(
    period, coordinators, administrators
):
    """In each pair of saves from the same loaded form, one over every editable model in
    turn, the first wins and the second is refused with the other person's version shown,
    nothing of it saved: 100 pairs on PostgreSQL (the database production uses), two rounds
    over every model on SQLite (the same code paths, in a third of the time)."""
    every = targets(period)
    versioned = {model for model in apps.get_models() if issubclass(model, VersionedModel)}
    assert {target.model for target in every} == versioned
    pairs = 100 if connection.vendor == "postgresql" else 2 * len(every)
    for number in range(pairs):
        target = every[number % len(every)]
        conflicting_pair(target, number,
                         administrators if target.administrators else coordinators,
                         bo_loads_his_own=number < len(every))
