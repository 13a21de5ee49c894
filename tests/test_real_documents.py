"""Real documents, end to end: each shape of medborgarlöfte is entered through the admin as a
coordinator would (the real admin forms with their inlines), followed up for one tertial on
the tertial screen, published, and then read back from every public surface: the period
page, the tertial page, JSON, CSV and both PDFs (the medborgarlöfte document and the
tertial report), in the document's order, with its targets and achievement, and nothing
from outside the period."""

import csv
import datetime
import io
import json
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils.translation import gettext
from pypdf import PdfReader

from followup.demo import katrineholm as demo
from followup.models import FollowUp, TertialReport
from municipalities.models import Municipality, PoliceArea
from promises.models import Activity, Agreement, Document, PromisePeriod
from promises.targets import Comparison
from tests.factories import form_fields, make_member

# Helpers: the admin as a browser submits it -------------------------------------------------


def errors_on(response):
    """The error messages a form page shows, for the assertion's message."""
    page = response.content.decode()
    found = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
    found += re.findall(r'<p class="errornote">(.*?)</p>', page, re.S)
    return [unescape(re.sub(r"<[^>]+>", " ", e)).split() and " ".join(
        unescape(re.sub(r"<[^>]+>", " ", e)).split()) for e in found]


def form_on(client, url, form_id):
    response = client.get(url)
    assert response.status_code == 200, url
    return form_fields(response.content.decode(), form_id)


def post_form(client, url, data):
    """Post a form; it must be accepted (a redirect)."""
    response = client.post(url, data)
    assert response.status_code == 302, (url, response.status_code, errors_on(response))
    return response


def set_inline(data, prefix, rows):
    """Fill an inline formset with new rows: each row starts from the values the page's
    empty form offers (as the admin's "Add another" copies it), then takes `rows`' values."""
    template = {
        name.removeprefix(f"{prefix}-__prefix__-"): values
        for name, values in data.items() if name.startswith(f"{prefix}-__prefix__-")
    }
    initial = int(data[f"{prefix}-INITIAL_FORMS"][0])
    data[f"{prefix}-TOTAL_FORMS"] = [str(initial + len(rows))]
    for index, row in enumerate(rows, start=initial):
        for name, values in {**template, **row}.items():
            if not isinstance(values, list):
                values = [str(values)]
            data[f"{prefix}-{index}-{name}"] = values
    return data


def create_police_area(client, name, municipalities):
    """The coordinator adds the police area that serves their municipality."""
    url = reverse("admin:municipalities_policearea_add")
    data = form_on(client, url, "policearea_form")
    data.update({"name": [name], "municipalities": [str(m.pk) for m in municipalities]})
    post_form(client, url, {**data, "_save": ["Spara"]})
    return PoliceArea.objects.get(name=name)


def create_period(client, *, municipalities, police_area, title, valid_from, valid_to,
                  agreement=None, texts=None, priorities=(), focus_areas=(), signatories=(),
                  promises=()):
    url = reverse("admin:promises_promiseperiod_add")
    data = form_on(client, url, "promiseperiod_form")
    data.update({
        "parties": [str(m.pk) for m in municipalities],
        "police_area": [str(police_area.pk)],
        "agreement": [str(agreement.pk)] if agreement else [""],
        "title": [title], "valid_from": [valid_from], "valid_to": [valid_to],
        **{name: [text] for name, text in (texts or {}).items()},
    })
    set_inline(data, "priorities", priorities)
    set_inline(data, "focus_areas", focus_areas)
    set_inline(data, "signatories", signatories)
    set_inline(data, "promises", promises)
    post_form(client, url, {**data, "_save": ["Spara"]})
    return PromisePeriod.objects.get(title=title)


def change_promise(client, promise, *, activities=(), indicators=()):
    """Activities and indicators are entered on the promise's own page (its inlines)."""
    url = reverse("admin:promises_promise_change", args=[promise.pk])
    data = form_on(client, url, "promise_form")
    set_inline(data, "activities", activities)
    set_inline(data, "indicators", indicators)
    post_form(client, url, {**data, "_save": ["Spara"]})


def screen_url(period, year, tertial):
    return reverse("admin:followup_tertial", args=[period.pk, year, tertial])


def key(kind, subject):
    return f"{kind[0]}{subject.pk}"


def follow_up(client, period, year, tertial, rows):
    """Enter a tertial on the tertial screen: rows maps a row key (p12, a5, i3) to its
    fields (status, account, value, internal_note)."""
    url = screen_url(period, year, tertial)
    data = form_on(client, url, "tertial-form")
    for row, fields in rows.items():
        for name, value in fields.items():
            field = f"{row}-{name}"
            assert field in data, f"{field} is not on the tertial screen"
            data[field] = [str(value)]
    post_form(client, url, data)


def publish_period(client, period):
    """The publisher's admin action on the period's change form."""
    url = reverse("admin:promises_promiseperiod_changelist")
    post_form(client, url, {"action": ["publish_selected"], "_selected_action": [period.pk]})
    period.refresh_from_db()
    assert period.is_published


def publish_tertial(client, period, year, tertial):
    post_form(client, reverse("admin:followup_tertial_publish", args=[period.pk, year, tertial]),
              {})
    assert TertialReport.objects.get(period=period, year=year, tertial=tertial).is_published


def make_period_document(client, period):
    """The coordinator makes the medborgarlöfte document (the PDF)."""
    url = reverse("admin:promises_promiseperiod_changelist")
    post_form(client, url, {"action": ["generate_documents"], "_selected_action": [period.pk]})
    assert Document.objects.filter(period=period, kind="period").exists()


# What the public reads ---------------------------------------------------------------------


def text_of(html):
    """A page's visible text, whitespace collapsed."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def pdf_text(data):
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(data)).pages
    )


def public_documents(client, period):
    """The PDFs the public period page links to: {kind: bytes}."""
    page = client.get(reverse("public:period", args=[period.pk])).content.decode()
    found = {}
    for sha256 in re.findall(r"/dokument/([0-9a-f]{64})\.pdf", page):
        document = Document.objects.get(sha256=sha256)
        response = client.get(reverse("public:document", args=[sha256]))
        assert response.status_code == 200
        found.setdefault(document.kind, b"".join(response.streaming_content)
                         if response.streaming else response.content)
    return found


def in_order(text, parts):
    """Every part is in the text, in this order."""
    position = -1
    for part in parts:
        found = text.find(part, position + 1)
        assert found > position, f"{part!r} is missing or out of order"
        position = found
    return True


def target(comparison, value, unit):
    """A target in words in the site's language: "minst 100 trafikkontroller"."""
    return f"{Comparison(comparison).label} {value} {unit}"


def achieved(value, comparison, goal, unit, is_met, percent=None):
    """Achievement in words in the site's language, numbers written out by the test:
    "104 av minst 100 trafikkontroller – målet nått (104 %)"."""
    words = target(comparison, goal, unit)
    template = "%(value)s of %(target)s" if comparison == "at_least" \
        else "%(value)s, target %(target)s"
    text = gettext(template) % {"value": value, "target": words}
    text += " – " + gettext("target reached" if is_met else "not reached")
    return text + (f" ({percent} %)" if percent is not None else "")


def squeeze(text):
    """Text compared without whitespace or case: PDF extraction breaks lines where it
    likes, and the PDFs set labels in capitals."""
    return re.sub(r"\s+", "", text).casefold()


def in_pdf_order(text, parts):
    return in_order(squeeze(text), [squeeze(part) for part in parts])


class Surfaces:
    """Every public surface of one published period and one of its published tertials."""

    def __init__(self, client, period, year, tertial):
        client.logout()
        self.period_page = text_of(
            client.get(reverse("public:period", args=[period.pk])).content.decode())
        response = client.get(reverse("public:tertial_report",
                                      args=[period.pk, year, tertial]))
        assert response.status_code == 200
        self.tertial_page = text_of(response.content.decode())
        self.json = json.loads(client.get(reverse("public:period_json", args=[period.pk]))
                               .content)
        response = client.get(reverse("public:period_csv", args=[period.pk]))
        content = b"".join(response.streaming_content) if response.streaming \
            else response.content
        self.csv = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
        documents = public_documents(client, period)
        assert set(documents) == {"period", "tertial_report"}, set(documents)
        self.period_pdf = pdf_text(documents["period"])
        self.report_pdf = pdf_text(documents["tertial_report"])

    def pages(self):
        return {"period page": self.period_page, "tertial page": self.tertial_page}

    def pdfs(self):
        return {"medborgarlöfte PDF": self.period_pdf, "tertial report PDF": self.report_pdf}

    def assert_everywhere_in_order(self, parts, *, pdfs=("period", "report")):
        for name, text in self.pages().items():
            assert in_order(text, parts), name
        if "period" in pdfs:
            assert in_pdf_order(self.period_pdf, parts)
        if "report" in pdfs:
            assert in_pdf_order(self.report_pdf, parts)

    def assert_nowhere(self, text):
        for name, shown in {**self.pages(), **self.pdfs()}.items():
            assert squeeze(text) not in squeeze(shown), f"{text!r} shown on the {name}"
        assert text not in json.dumps(self.json, ensure_ascii=False)
        assert not any(text in value for row in self.csv for value in row.values() if value)


# People -------------------------------------------------------------------------------------


@pytest.fixture
def people(db):
    """A coordinator, a police coordinator and a publisher of a municipality with no police
    area yet (Vingåker), each with a client of their own."""
    from django.test import Client

    place = Municipality.objects.get(code="0428")
    assert not place.police_areas.exists()

    def client_of(user):
        client = Client()
        client.force_login(user)
        return client

    coordinator = make_member("coordinator", municipality=place)
    publisher = make_member("publisher", municipality=place)
    return {"place": place, "coordinator": client_of(coordinator),
            "publisher": client_of(publisher), "client_of": client_of}


def police_client(people, area):
    return people["client_of"](make_member("police", police_area=area))


# (a) A four-month period: numbered priorities, promises without activities --------------

SHORT_PROMISES = [
    # (label, party, text, target)
    ("Löfte 1", "police", "Polisen genomför minst 100 trafikkontroller vid skolorna.",
     ("100", "trafikkontroller")),
    ("Löfte 2", "municipality", "Kommunen tänder belysningen i Storgatsparken.", None),
    ("Löfte 3", "joint", "Polisen och kommunen håller ett gemensamt medborgardialogmöte.",
     None),
    ("Löfte 4", "municipality", "Kommunen anordnar minst 12 kvällsaktiviteter för unga.",
     ("12", "kvällsaktiviteter")),
    ("Löfte 5", "police", "Polisen patrullerar till fots i centrum varje fredag.", None),
    ("Löfte 6", "joint", "Tillsammans följer vi upp otryggheten i en enkät.", None),
]


def test_a_four_month_period_with_numbered_priorities_and_promises_without_activities(people):
    coordinator, place = people["coordinator"], people["place"]
    area = create_police_area(coordinator, "Lokalpolisområde Vingåker", [place])
    period = create_period(
        coordinator, municipalities=[place], police_area=area,
        title="Medborgarlöfte Vingåker hösten 2025",
        valid_from="2025-09-01", valid_to="2025-12-31",
        texts={"introduction": "Inför hösten lovar vi följande.",
               "situation": "Lägesbilden pekar på trafik och otrygghet i parken."},
        priorities=[
            {"order": n, "label": f"Prioritering {n}", "text": text}
            for n, text in enumerate(["Trafiken vid skolorna", "Tryggare parker",
                                      "Unga på kvällstid"], start=1)
        ],
        signatories=[
            {"order": 1, "party": "municipality", "title": "Kommunstyrelsens ordförande"},
            {"order": 2, "party": "police", "title": "Lokalpolisområdeschef"},
        ],
        # Entered in the document's order, parties mixed; the order numbers say it.
        promises=[
            {"order": n, "label": label, "party": party, "text": text,
             **({"target_comparison": "at_least", "target_value": target[0],
                 "target_unit": target[1]} if target else {})}
            for n, (label, party, text, target) in enumerate(SHORT_PROMISES, start=1)
        ],
    )
    promises = list(period.promises.order_by("order"))
    assert [p.label for p in promises] == [label for label, *_ in SHORT_PROMISES]
    assert not any(p.activities.exists() or p.indicators.exists() for p in promises)
    assert list(period.signatories.values_list("name", flat=True)) == ["", ""]

    # The screen offers only the tertial the period overlaps, with every promise on it.
    page = coordinator.get(screen_url(period, 2025, 3)).content.decode()
    for promise in promises:
        assert f'id="row-{key("promise", promise)}"' in page
    assert coordinator.get(screen_url(period, 2025, 2)).status_code == 404
    # Its first tertial has no "previous tertial" to show or ask for.
    previous = gettext("Previous tertial (%(previous)s)").split("(")[0].strip()
    assert previous not in page
    values = {"Löfte 1": 104, "Löfte 4": 9}
    follow_up(coordinator, period, 2025, 3, {
        key("promise", p): {
            "status": "completed" if p.label != "Löfte 5" else "ongoing",
            "account": f"Redovisning av {p.label.lower()}.",
            "internal_note": f"Internt om {p.label.lower()}.",
            **({"value": values[p.label]} if p.label in values else {}),
        }
        for p in promises
    })
    assert FollowUp.objects.filter(promise__period=period).count() == len(promises)

    make_period_document(coordinator, period)
    publish_period(people["publisher"], period)
    publish_tertial(people["publisher"], period, 2025, 3)

    shown = Surfaces(people["publisher"], period, 2025, 3)
    priorities = ["Prioritering 1", "Trafiken vid skolorna", "Prioritering 2",
                  "Tryggare parker", "Prioritering 3", "Unga på kvällstid"]
    assert in_order(shown.period_page, priorities)
    assert in_pdf_order(shown.period_pdf, priorities)
    promise_texts = [part for label, _, text, _ in SHORT_PROMISES for part in (label, text)]
    shown.assert_everywhere_in_order(promise_texts)
    accounts = [f"Redovisning av löfte {n}." for n in range(1, 7)]
    for name, text in shown.pages().items():
        assert in_order(text, accounts), name
    assert in_pdf_order(shown.report_pdf, accounts)
    # Targets and their achievement, truthfully: 104 of at least 100 is reached, not
    # capped at 100 %; 9 of at least 12 is not.
    for text in [*shown.pages().values(), shown.report_pdf]:
        assert squeeze(achieved(104, "at_least", 100, "trafikkontroller", True, 104)) in \
            squeeze(text)
        assert squeeze(achieved(9, "at_least", 12, "kvällsaktiviteter", False, 75)) in \
            squeeze(text)
    assert squeeze(target("at_least", 100, "trafikkontroller")) in squeeze(shown.period_pdf)
    # The document numbers its priorities itself: no second numbering beside "Prioritering 1".
    assert "1. 2. 3." not in shown.period_pdf
    # A four-month period has one tertial: no empty T1 and T2.
    for name, text in {"period page": shown.period_page, **shown.pdfs()}.items():
        assert "T1 2025" not in text and "T2 2025" not in text, name
    # Signatories without names are shown by title.
    assert in_pdf_order(shown.period_pdf, ["Kommunstyrelsens ordförande",
                                           "Lokalpolisområdeschef"])
    assert gettext("Other tertials") not in shown.tertial_page  # there are none
    shown.assert_nowhere("Internt om")

    # JSON and CSV: every promise in order, with its label, party, target and follow-up.
    records = shown.json["promises"]
    assert [(r["label"], r["party"], r["text"]) for r in records] == [
        (label, party, text) for label, party, text, _ in SHORT_PROMISES]
    assert [r["target_value"] for r in records] == [100, None, None, 12, None, None]
    assert [[(f["year"], f["tertial"], f["value"]) for f in r["followups"]] for r in records] \
        == [[(2025, 3, values.get(r["label"]))] for r in records]
    assert list(zip(shown.json["priority_labels"], shown.json["priorities"])) == [
        ("Prioritering 1", "Trafiken vid skolorna"), ("Prioritering 2", "Tryggare parker"),
        ("Prioritering 3", "Unga på kvällstid")]
    rows = [r for r in shown.csv if r["item_kind"] == "promise"]
    assert [(r["promise_label"], r["account"]) for r in rows] == [
        (f"Löfte {n}", f"Redovisning av löfte {n}.") for n in range(1, 7)]
    assert {r["tertial"] for r in rows} == {"3"}


# (b) A four-year agreement with seven focus areas, and its first year's promises ----------

FOCUS_AREAS = [
    "Trygghet i centrum", "Unga i riskzon", "Narkotika", "Trafik", "Våld i nära relationer",
    "Bedrägerier mot äldre", "Skadegörelse",
]
# (label, party, text, focus areas by number, indicators as (name, reporting party))
YEAR_ONE = [
    ("1.", "municipality", "Kommunen startar nattvandringar i centrum.", [1, 2],
     [("Antal nattvandringar", "municipality")]),
    ("2.", "police", "Polisen ökar den synliga närvaron vid resecentrum.", [1],
     [("Antal timmar fotpatrull", "police"), ("Upplevd trygghet i enkäten", "municipality")]),
    ("3.", "joint", "Tillsammans informerar vi äldre om bedrägerier.", [6],
     [("Antal informationsträffar", "police")]),
]


def create_agreement(client, *, municipalities, police_area, title, valid_from, valid_to,
                     sections=(), focus_areas=(), signatories=()):
    url = reverse("admin:promises_agreement_add")
    data = form_on(client, url, "agreement_form")
    data.update({
        "municipalities": [str(m.pk) for m in municipalities],
        "police_area": [str(police_area.pk)],
        "title": [title], "valid_from": [valid_from], "valid_to": [valid_to],
    })
    set_inline(data, "sections", sections)
    set_inline(data, "focus_areas", focus_areas)
    set_inline(data, "signatories", signatories)
    post_form(client, url, {**data, "_save": ["Spara"]})
    return Agreement.objects.get(title=title)


def test_a_four_year_agreement_and_its_first_years_promises_followed_up_by_indicators(people):
    coordinator, place = people["coordinator"], people["place"]
    area = create_police_area(coordinator, "Lokalpolisområde Vingåker", [place])
    agreement = create_agreement(
        coordinator, municipalities=[place], police_area=area,
        title="Samverkansöverenskommelse Vingåker 2025–2028",
        valid_from="2025-01-01", valid_to="2028-12-31",
        sections=[{"order": 1, "heading": "Syfte", "text": "Att minska brottsligheten."},
                  {"order": 2, "heading": "Uppföljning", "text": "Årligen i rådet."}],
        focus_areas=[{"order": n, "label": f"Fokusområde {n}", "name": name}
                     for n, name in enumerate(FOCUS_AREAS, start=1)],
        signatories=[{"order": 1, "party": "municipality", "title": "Kommundirektör"},
                     {"order": 2, "party": "police", "title": "Lokalpolisområdeschef"}],
    )
    assert agreement.focus_areas.count() == 7
    period = create_period(
        coordinator, municipalities=[place], police_area=area, agreement=agreement,
        title="Medborgarlöfte Vingåker 2025", valid_from="2025-01-01", valid_to="2025-12-31",
        signatories=[{"order": 1, "party": "municipality", "title": "Kommundirektör"},
                     {"order": 2, "party": "police", "title": "Lokalpolisområdeschef"}],
        promises=[{"order": n, "label": label, "party": party, "text": text}
                  for n, (label, party, text, *_) in enumerate(YEAR_ONE, start=1)],
    )
    areas = {n: agreement.focus_areas.get(order=n) for n in range(1, 8)}
    promises = list(period.promises.order_by("order"))
    for promise, (*_, numbers, indicators) in zip(promises, YEAR_ONE, strict=True):
        url = reverse("admin:promises_promise_change", args=[promise.pk])
        data = form_on(coordinator, url, "promise_form")
        data["focus_areas"] = [str(areas[n].pk) for n in numbers]
        set_inline(data, "indicators", [
            {"order": i, "name": name, "reporting_party": party}
            for i, (name, party) in enumerate(indicators, start=1)
        ])
        post_form(coordinator, url, {**data, "_save": ["Spara"]})
    assert [list(p.focus_areas.order_by("order").values_list("name", flat=True))
            for p in promises] == [[FOCUS_AREAS[n - 1] for n in numbers]
                                   for *_, numbers, _ in YEAR_ONE]

    # Each indicator is reported by its party: the police coordinator enters the police's
    # on the same screen, and sees none of the municipality's to change.
    indicators = {i.name: i for p in promises for i in p.indicators.all()}
    police = police_client(people, area)
    police_rows = [i for i in indicators.values() if i.reporting_party == "police"]
    page = police.get(screen_url(period, 2025, 1)).content.decode()
    for indicator in indicators.values():
        field = f'name="{key("indicator", indicator)}-status"'
        assert (field in page and "disabled" not in page.split(field)[1].split(">")[0]) \
            == (indicator.reporting_party == "police"), indicator.name
    follow_up(police, period, 2025, 1, {
        key("indicator", i): {"status": "ongoing", "account": f"Polisen om {i.name.lower()}."}
        for i in police_rows
    })
    follow_up(coordinator, period, 2025, 1, {
        **{key("indicator", i): {"status": "done_continuing",
                                 "account": f"Kommunen om {i.name.lower()}."}
           for i in indicators.values() if i.reporting_party == "municipality"},
        **{key("promise", p): {"status": "ongoing", "account": f"Om löfte {p.label}"}
           for p in promises},
    })
    assert FollowUp.objects.filter(indicator__promise__period=period).count() == 4

    make_period_document(coordinator, period)
    publisher = people["publisher"]
    post_form(publisher, reverse("admin:promises_agreement_changelist"),
              {"action": ["publish_selected"], "_selected_action": [agreement.pk]})
    publish_period(publisher, period)
    publish_tertial(publisher, period, 2025, 1)
    shown = Surfaces(publisher, period, 2025, 1)

    document_order = []
    for label, _, text, _numbers, indicator_specs in YEAR_ONE:
        document_order += [label, text, *[name for name, _ in indicator_specs]]
    shown.assert_everywhere_in_order(document_order)
    accounts = []
    for *_, indicator_specs in YEAR_ONE:
        accounts += [
            f"{'Polisen' if party == 'police' else 'Kommunen'} om {name.lower()}."
            for name, party in indicator_specs
        ]
    for name, text in shown.pages().items():
        assert in_order(text, accounts), name
    assert in_pdf_order(shown.report_pdf, accounts)
    # The promises name the agreement's focus areas; the period links up to the agreement.
    assert in_pdf_order(shown.period_pdf, ["Trygghet i centrum, Unga i riskzon"])
    assert agreement.title in shown.period_page
    assert shown.json["agreement"]["id"] == agreement.pk
    assert {row["agreement_id"] for row in shown.csv} == {str(agreement.pk)}
    # Indicators without numeric targets report no invented achievement.
    for text in [*shown.pages().values(), shown.report_pdf]:
        assert gettext("target reached") not in text and gettext("not reached") not in text
    records = [i for p in shown.json["promises"] for i in p["indicators"]]
    assert [(i["name"], i["reporting_party"], i["target_value"]) for i in records] == [
        (name, party, None) for *_, specs in YEAR_ONE for name, party in specs]
    assert [[f["account"] for f in i["followups"]] for i in records] == [[a] for a in accounts]
    rows = [r for r in shown.csv if r["item_kind"] == "indicator"]
    assert [(r["item_text"], r["tertial"], r["account"]) for r in rows] == [
        (i["name"], "1", a) for i, a in zip(records, accounts, strict=True)]
    # Nothing of the later years: the only tertials are this period's.
    assert {(f["year"]) for p in shown.json["promises"] for f in p["followups"]} == {2025}

    # The agreement's own page lists its focus areas in order and the period under it.
    page = text_of(publisher.get(reverse("public:agreement", args=[agreement.pk]))
                   .content.decode())
    assert in_order(page, [period.title, *[f"Fokusområde {n} {name}" for n, name in
                                           enumerate(FOCUS_AREAS, start=1)], "Syfte",
                           "Uppföljning"])
    post_form(coordinator, reverse("admin:promises_agreement_changelist"),
              {"action": ["generate_documents"], "_selected_action": [agreement.pk]})
    document = Document.objects.get(agreement=agreement, kind="agreement")
    text = pdf_text(document.file.read())
    assert in_pdf_order(text, [f"Fokusområde {n} {name}" for n, name in
                               enumerate(FOCUS_AREAS, start=1)])


# (c) The Katrineholm 2018 document, as published --------------------------------------------


def test_the_katrineholm_2018_document(people):
    """Entered from the demo's copy of the real document (the demo's own rows are not in
    this test's database), its third tertial followed up as the document reports it."""
    spec = demo.PERIOD_2018
    place = Municipality.objects.get(code=demo.MUNICIPALITY_CODE)
    coordinator = people["client_of"](make_member("coordinator", municipality=place))
    publisher = people["client_of"](make_member("publisher", municipality=place))
    area = create_police_area(coordinator, demo.POLICE_AREA["name"], [place])
    period = create_period(
        coordinator, municipalities=[place], police_area=area, title=spec["title"],
        valid_from=spec["valid_from"], valid_to=spec["valid_to"],
        texts={"followup_description": spec["followup_description"]},
        promises=[{"order": n, "party": p["party"], "text": p["text"]}
                  for n, p in enumerate(spec["promises"], start=1)],
    )
    promises = list(period.promises.order_by("order"))
    for promise, promise_spec in zip(promises, spec["promises"], strict=True):
        activities = []
        for n, activity in enumerate(promise_spec["activities"], start=1):
            row = {"order": n, "text": activity["text"],
                   "responsible_party": activity["responsible_party"]}
            if activity.get("target_value"):
                row.update({"target_comparison": "at_least",
                            "target_value": activity["target_value"],
                            "target_unit": activity["target_unit"], "target_span": "year",
                            "target_text": activity["target_text"]})
            activities.append(row)
        change_promise(coordinator, promise, activities=activities)

    # Its third tertial, as the document reports it; the walks are counted (two of at
    # least two).
    rows = {}
    for promise, promise_spec in zip(promises, spec["promises"], strict=True):
        for activity, activity_spec in zip(promise.activities.order_by("order"),
                                           promise_spec["activities"], strict=True):
            status, account = activity_spec["followups"][2]
            rows[key("activity", activity)] = {
                "status": status, "account": account,
                **({"value": 2} if activity_spec.get("target_value") else {}),
            }
    follow_up(coordinator, period, 2018, 3, rows)
    # A later tertial shows the one before it beside each row.
    previous = gettext("Previous tertial (%(previous)s)").split("(")[0].strip()
    assert previous in coordinator.get(screen_url(period, 2018, 3)).content.decode()
    summary = spec["tertial_reports"][2]["summary"]
    url = reverse("admin:followup_tertialreport_add")
    data = form_on(coordinator, url, "tertialreport_form")
    data.update({"period": [str(period.pk)], "year": ["2018"], "tertial": ["3"],
                 "summary": [summary]})
    post_form(coordinator, url, {**data, "_save": ["Spara"]})

    make_period_document(coordinator, period)
    publish_period(publisher, period)
    publish_tertial(publisher, period, 2018, 3)
    # Next year's copy, followed up and published too: none of it may show in 2018's.
    post_form(coordinator, reverse("admin:promises_promiseperiod_changelist"),
              {"action": ["copy_as_next_draft"], "_selected_action": [period.pk]})
    following = PromisePeriod.objects.exclude(pk=period.pk).get(municipalities=place)
    assert (following.valid_from, following.valid_to) == (
        datetime.date(2019, 1, 1), datetime.date(2019, 12, 31))
    assert following.promises.count() == 5 and not FollowUp.objects.filter(
        promise__period=following).exists()
    follow_up(coordinator, following, 2019, 1, {
        key("activity", a): {"status": "ongoing", "account": f"Under 2019: {a.text}"}
        for a in Activity.objects.filter(promise__period=following)
    })
    publish_period(publisher, following)
    publish_tertial(publisher, following, 2019, 1)
    shown = Surfaces(publisher, period, 2018, 3)
    shown.assert_nowhere("Under 2019")

    document_order = []
    for promise_spec in spec["promises"]:
        document_order += [promise_spec["text"],
                           *[a["text"] for a in promise_spec["activities"]]]
    shown.assert_everywhere_in_order(document_order)
    accounts = [a["followups"][2][1] for p in spec["promises"] for a in p["activities"]]
    for name, text in shown.pages().items():
        assert in_order(text, accounts), name
    assert in_pdf_order(shown.report_pdf, [summary, *accounts])
    assert summary in shown.tertial_page
    walks = achieved(2, "at_least", 2, "trygghetsvandringar", True, 100)
    for text in [*shown.pages().values(), shown.report_pdf]:
        assert squeeze(walks) in squeeze(text)
    assert squeeze("minst två tillfällen") in squeeze(shown.period_pdf)
    # The tertials before it were not followed up here: nothing is invented for them.
    assert {(f["year"], f["tertial"]) for p in shown.json["promises"]
            for a in p["activities"] for f in a["followups"]} == {(2018, 3)}
    assert [a["text"] for p in shown.json["promises"] for a in p["activities"]] == [
        a["text"] for p in spec["promises"] for a in p["activities"]]
    rows = [r for r in shown.csv if r["item_kind"] == "activity"]
    assert [(r["item_text"], r["account"]) for r in rows] == [
        (a["text"], a["followups"][2][1]) for p in spec["promises"] for a in p["activities"]]
    # The promises themselves were not reported on: they say so, not an invented status.
    assert all(r["status"] == "" for r in shown.csv if r["item_kind"] == "promise")


# One document, three municipalities ---------------------------------------------------------


def test_one_document_of_a_police_area_with_three_municipalities_is_shown_and_followed_up_once(
    people,
):
    places = [Municipality.objects.get(code=code) for code in ("0428", "0482", "0483")]
    vingaker, flen, katrineholm = places
    coordinator = people["coordinator"]  # Vingåker's
    area = create_police_area(coordinator, "Lokalpolisområde Katrineholm", places)
    assert area.police_region.name == "Region Öst"
    period = create_period(
        coordinator, municipalities=places, police_area=area,
        title="Medborgarlöfte för Vingåker, Flen och Katrineholm 2025",
        valid_from="2025-01-01", valid_to="2025-12-31",
        signatories=[
            *[{"order": n, "party": "municipality", "municipality": str(m.pk),
               "name": f"Direktör {m.name}", "title": "Kommundirektör"}
              for n, m in enumerate(places, start=1)],
            {"order": 4, "party": "police", "name": "Chef Polis",
             "title": "Tf. lokalpolisområdeschef"},
        ],
        promises=[{"order": 1, "label": "Löfte 1", "party": "joint",
                   "text": "Kommunerna och polisen gör trygghetsvandringar i alla tre."}],
    )
    promise = period.promises.get()
    # Flen's coordinator works on it too, and sees what Vingåker's entered: one follow-up.
    flen_coordinator = people["client_of"](make_member("coordinator", municipality=flen))
    follow_up(coordinator, period, 2025, 1, {
        key("promise", promise): {"status": "ongoing", "account": "Första vandringen."}})
    data = form_on(flen_coordinator, screen_url(period, 2025, 1), "tertial-form")
    assert data[f"{key('promise', promise)}-account"] == ["Första vandringen."]
    follow_up(flen_coordinator, period, 2025, 1, {
        key("promise", promise): {"account": "Första vandringen, i Flen."}})
    assert FollowUp.objects.filter(promise=promise).count() == 1

    make_period_document(coordinator, period)
    publish_period(people["publisher"], period)
    publish_tertial(people["publisher"], period, 2025, 1)
    shown = Surfaces(people["publisher"], period, 2025, 1)
    # The municipalities by name, as everywhere on the site.
    assert [m["code"] for m in shown.json["municipalities"]] == ["0482", "0483", "0428"]
    assert in_pdf_order(shown.period_pdf, [
        *[f"Direktör {m.name}" for m in places], "Chef Polis", "Tf. lokalpolisområdeschef"])
    assert [r["municipality_codes"] for r in shown.csv] == ["0482 0483 0428"]

    client = people["publisher"]
    client.logout()
    period_url = reverse("public:period", args=[period.pk])
    for place in places:
        page = client.get(place.get_absolute_url()).content.decode()
        assert period.title in page, place.name
        # Listed once, with its data offered once.
        assert page.count(f'href="{period_url}"') == 1, place.name
        assert page.count(f'href="{period_url}data.json"') == 1, place.name
    national = json.loads(b"".join(client.get(reverse("public:national_json"))
                                   .streaming_content))
    periods = national["periods"] if isinstance(national, dict) else national
    assert [p["id"] for p in periods].count(period.pk) == 1
    response = client.get(reverse("public:national_csv"))
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = [r for r in csv.DictReader(io.StringIO(content))
            if r["period_id"] == str(period.pk)]
    assert [(r["item_kind"], r["account"]) for r in rows] == [
        ("promise", "Första vandringen, i Flen.")]
