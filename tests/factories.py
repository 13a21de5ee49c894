"""The suite's one factories module: periods of any size, staff members with a role, and the
values a browser would submit from a page's form."""

import datetime
import itertools
from html.parser import HTMLParser

from django.contrib.auth.models import User
from django.utils import timezone

from followup.models import FollowUp, TertialReport, YearEndComment
from municipalities.models import Membership, Municipality, PoliceArea
from promises.models import (
    Activity, Agreement, AgreementSection, FocusArea, Indicator, Party, Priority, Promise,
    PromisePeriod, Signatory,
)
from promises.publishing import publish

_counter = itertools.count(1)
PARTIES = [Party.POLICE, Party.MUNICIPALITY, Party.JOINT]


# Periods ----------------------------------------------------------------------------------

def police_area_for(municipality):
    """The municipality's own police area, in its county's police region."""
    area, _ = PoliceArea.objects.get_or_create(
        name=f"Lokalpolisområde {municipality.name}",
        defaults={"police_region": municipality.county.police_region},
    )
    area.municipalities.add(municipality)
    return area


def make_period(
    municipality=None,
    *,
    year=2024,
    years=1,
    promises=2,
    activities=2,
    indicators=1,
    published=True,
    reports=(1, 2),
    note="",
):
    """A period with `promises` promises, each with activities followed up every tertial
    and indicators measured every tertial; `reports` are the tertials (of every year)
    whose reports are published."""
    n = next(_counter)
    municipality = municipality or Municipality.objects.order_by("code")[n % 290]
    now = timezone.now()
    period = PromisePeriod.objects.create(
        police_area=police_area_for(municipality),
        title=f"Medborgarlöfte {year} nummer {n}",
        valid_from=datetime.date(year, 1, 1),
        valid_to=datetime.date(year + years - 1, 12, 31),
        status="published" if published else "draft",
        published_at=now if published else None,
        introduction="Tillsammans för ett tryggare Åby.",
        situation="Lägesbilden visar oro för skadegörelse.",
    )
    period.municipalities.add(municipality)
    Priority.objects.create(period=period, order=1, text="Tryggare centrum")
    FocusArea.objects.create(period=period, order=1, name="Unga", description="Unga i centrum")
    Signatory.objects.create(period=period, party="police", name="Anna Polis", title="Chef")
    Signatory.objects.create(period=period, party="municipality", name="Bo Kommun", title="KSO")
    for p in range(promises):
        promise = Promise.objects.create(
            period=period, order=p, party=PARTIES[p % 3], text=f"Löfte {p} om trygghet i Åby",
        )
        for y in range(years):
            for tertial in (1, 2, 3):
                FollowUp.objects.create(
                    promise=promise, year=year + y, tertial=tertial, status="ongoing",
                    account=f"Löftet T{tertial}", internal_note=note,
                )
        for y in range(years):
            YearEndComment.objects.create(
                promise=promise, year=year + y, text=f"Året {year + y} gick bra."
            )
        for a in range(activities):
            activity = Activity.objects.create(
                promise=promise, order=a, text=f"Aktivitet {a} med föräldravandringar",
                responsible_party=PARTIES[a % 3],
            )
            for y in range(years):
                for tertial in (1, 2, 3):
                    FollowUp.objects.create(
                        promise=promise, activity=activity, year=year + y, tertial=tertial,
                        status="ongoing", account=f"Redovisning T{tertial} för aktivitet {a}",
                        internal_note=note,
                    )
        for i in range(indicators):
            indicator = Indicator.objects.create(
                promise=promise, order=i, name=f"Indikator {i}", target_unit="st",
                target_comparison="at_least", target_value=10,
            )
            for y in range(years):
                for tertial in (1, 2, 3):
                    FollowUp.objects.create(
                        promise=promise, indicator=indicator, year=year + y, tertial=tertial,
                        value=tertial * 3, internal_note=note,
                    )
    for y in range(years):
        for tertial in (1, 2, 3):
            is_published = tertial in reports
            TertialReport.objects.create(
                period=period, year=year + y, tertial=tertial,
                summary=f"Sammanfattning T{tertial}",
                status="published" if is_published else "draft",
                published_at=now if is_published else None,
            )
    return period


def make_agreement(period, *, published=True, linked=True):
    """A collaboration agreement 2022–2025 of `period`'s police area and municipalities, with
    one section; the period sits under it when `linked`."""
    agreement = Agreement.objects.create(
        police_area=period.police_area, title="Samverkansöverenskommelse 2022–2025",
        valid_from=datetime.date(2022, 1, 1), valid_to=datetime.date(2025, 12, 31),
    )
    agreement.municipalities.add(*period.municipalities.all())
    AgreementSection.objects.create(agreement=agreement, order=1, heading="Syfte",
                                    text="Ett tryggare Katrineholm.")
    if linked:
        period.agreement = agreement
        period.save()
    if published:
        publish(agreement, by=None)
    return agreement


def make_draft_period(municipality, *, title, valid_from, valid_to, promises):
    """A draft period with nothing followed up yet. `promises` maps each party to the texts
    of its activities and the names of its indicators: {party: ([activity], [indicator])}."""
    period = PromisePeriod.objects.create(
        police_area=police_area_for(municipality), title=title,
        valid_from=valid_from, valid_to=valid_to,
    )
    period.municipalities.add(municipality)
    for order, (party, (activities, indicators)) in enumerate(promises.items(), start=1):
        promise = Promise.objects.create(
            period=period, party=party, order=order, text=f"{title}: {party} promise"
        )
        for text in activities:
            Activity.objects.create(promise=promise, text=text)
        for name in indicators:
            Indicator.objects.create(promise=promise, name=name)
    return period


def add_promise(period, party, text, *, order=0, target=None, activities=(), indicators=()):
    """A promise of `period` with its activities and indicators, nothing followed up.

    `target` is a numeric target for the promise as (comparison, value); `activities` are
    (text, responsible party) or (text, responsible party, target value) and `indicators`
    (name, reporting party); a blank party is the promise's."""
    numeric = {"target_comparison": target[0], "target_value": target[1]} if target else {}
    promise = Promise.objects.create(period=period, order=order, party=party, text=text,
                                     **numeric)
    for a_order, (a_text, responsible, *value) in enumerate(activities, start=1):
        Activity.objects.create(
            promise=promise, order=a_order, text=a_text, responsible_party=responsible,
            **({"target_comparison": "at_least", "target_value": value[0]} if value else {}),
        )
    for i_order, (name, reporting) in enumerate(indicators, start=1):
        Indicator.objects.create(promise=promise, order=i_order, name=name,
                                 reporting_party=reporting)
    return promise


def other_period(katrineholm):
    """A period of another municipality (Flen, 0482), with one police promise, one
    municipality promise, an activity and an indicator each."""
    return make_draft_period(
        Municipality.objects.get(code="0482"), title="Medborgarlöfte Flen 2018",
        valid_from="2018-01-01", valid_to="2018-12-31",
        promises={
            party: ([f"Flen {party} activity"], [f"Flen {party} indicator"])
            for party in ("police", "municipality")
        },
    )


def unsaved_period(like, **changes):
    """An unsaved period of the same police area as `like`, in 2030 unless `changes` say
    otherwise: for the rules a save, `full_clean()` or `check_parties()` must enforce (its
    municipalities are chosen apart: `like.municipalities.all()`)."""
    fields = {
        "police_area": like.police_area,
        "title": "Test",
        "valid_from": datetime.date(2030, 1, 1),
        "valid_to": datetime.date(2030, 12, 31),
        **changes,
    }
    return PromisePeriod(**fields)


# People -----------------------------------------------------------------------------------

def make_member(role, *, municipality=None, police_area=None, username=None, email=None):
    """A staff user holding one membership (a second call with the same username adds a
    second role to the same user)."""
    username = username or f"{role}-{(municipality or police_area or 'national')}".replace(" ", "")
    user, _ = User.objects.get_or_create(
        username=username[:150],
        defaults={"is_staff": True, "email": email or f"{role}@example.org"},
    )
    Membership.objects.create(
        user=user, role=role, municipality=municipality, police_area=police_area,
    )
    return user


# Forms ------------------------------------------------------------------------------------

class _Forms(HTMLParser):
    """Every form on a page: its attributes, every named control and its type, the values a
    browser would submit (no buttons or files) and the values each select, checkbox and radio
    offers."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.form, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = {
                "id": attrs.get("id"), "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action"), "controls": [], "fields": {}, "options": {},
                "types": {},
            }
            self.forms.append(self.form)
            return
        if tag == "option" and self.select:
            self._option(attrs)
            return
        name = attrs.get("name")
        if self.form is None or not name or tag not in {"input", "select", "textarea"}:
            return
        kind = attrs.get("type")
        if tag == "input" and kind in {"submit", "button", "file", "image", "reset"}:
            return
        fields, disabled = self.form["fields"], "disabled" in attrs
        if name not in self.form["controls"]:
            self.form["controls"].append(name)
            self.form["types"][name] = (kind or "text") if tag == "input" else tag
        if tag == "input" and kind in {"checkbox", "radio"}:
            value = attrs.get("value", "on")
            self.form["options"].setdefault(name, []).append(value)
            if "checked" in attrs and not disabled:
                fields.setdefault(name, []).append(value)
        elif tag == "input" and not disabled:
            fields[name] = [attrs.get("value", "")]
        elif tag == "select":
            self.select = {"name": name, "multiple": "multiple" in attrs, "disabled": disabled}
            self.form["options"][name] = []
            if not disabled:
                fields[name] = []
        elif tag == "textarea":
            self.textarea = {"name": name, "text": "", "disabled": disabled}

    def _option(self, attrs):
        name = self.select["name"]
        self.form["options"][name].append(attrs.get("value", ""))
        if "selected" in attrs and not self.select["disabled"]:
            self.form["fields"][name].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select:
            name, options = self.select["name"], self.form["options"][self.select["name"]]
            values = self.form["fields"].get(name)
            # A single select with nothing selected submits its first option.
            if values == [] and not self.select["multiple"] and options:
                values.append(options[0])
            self.select = None
        elif tag == "textarea" and self.textarea:
            if not self.textarea["disabled"]:
                # As in a browser, the newline right after <textarea> is not part of the value.
                text = self.textarea["text"].removeprefix("\n")
                self.form["fields"][self.textarea["name"]] = [text]
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.textarea["text"] += data


def forms_on(html):
    """Every form of the page, each a dict: id, method, action, controls (every named
    control, in order), types ({name: "text", "hidden", "select", "textarea", …}), fields
    ({name: [values]} as a browser would submit them) and options ({name: [values]} a select,
    checkbox or radio offers)."""
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_fields(html, form_id):
    """The values a browser would submit from the form with this id (without buttons)."""
    for form in forms_on(html):
        if form["id"] == form_id:
            return form["fields"]
    raise AssertionError(f"No form with id {form_id!r} on the page.")


# Documents --------------------------------------------------------------------------------

def sign_all(owner, *, by=None):
    """Make the owner's document and sign it for every signatory, in order; the last state."""
    from promises.documents import services

    document = services.generate_document(owner, by=by)
    for signatory in owner.signatories.all():
        document = services.sign_document(owner, signatory=signatory, by=by)
    return document
