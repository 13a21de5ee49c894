"""Real documents, end to end: each shape of medborgarlöfte is entered through the admin as a
coordinator would (the real admin forms with their inlines), followed up for one tertial on
the tertial screen, published, and then read back from every public surface: the period
page, the tertial page, JSON, CSV and both PDFs (the medborgarlöfte document and the
tertial report), in the document's order, with its targets and achievement, and nothing
from outside the period."""

import csv
import io
import json
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils.translation import gettext
from pypdf import PdfReader

from followup.models import FollowUp, TertialReport
from municipalities.models import Municipality, PoliceArea
from promises.models import Document, PromisePeriod
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
