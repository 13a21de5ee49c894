"""The open data: JSON and CSV per period and for the whole country, as documented in
docs/open-data.md (format 2)."""

import csv
import datetime
import io
import json
import re
from pathlib import Path

import pytest
from django.db import connection
from django.http import StreamingHttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from followup.models import FollowUp
from municipalities.models import Municipality
from promises.models import Activity, Agreement, Promise, PromisePeriod
from promises.publishing import publish
from public import exports
from tests.factories import make_period, police_area_for

DOC = Path(__file__).resolve().parent.parent / "docs" / "open-data.md"
TARGETED = {"promise", "activity", "indicator"}


def documented_fields():
    """{section name: [field, …]} from the tables under each ### heading of the doc."""
    sections, current = {}, None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"### (\w+)", line)
        if heading:
            current = sections.setdefault(heading.group(1), [])
        elif current is not None and (field := re.match(r"\| `(\w+)` \|", line)):
            current.append(field.group(1))
    return sections


NESTED = {
    "municipality": "municipality",
    "municipalities": "municipality",
    "agreement": "agreement",
    "police_area": "police_area",
    "contact": "contact",
    "focus_areas": "focus_area",
    "signatories": "signatory",
    "promises": "promise",
    "followups": "followup",
    "year_end_comments": "year_end_comment",
    "activities": "activity",
    "indicators": "indicator",
    "measurements": "measurement",
    "tertial_reports": "tertial_report",
}


def assert_matches_doc(record, section, fields, *, seen):
    expected = set(fields[section]) | (set(fields["target"]) if section in TARGETED else set())
    if section == "period" and "format_version" not in record:
        expected.discard("format_version")  # only a single period's file carries it
    assert set(record) == expected, section
    seen.add(section)
    for key, value in record.items():
        if key in NESTED and value is not None:
            for item in value if isinstance(value, list) else [value]:
                assert_matches_doc(item, NESTED[key], fields, seen=seen)


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def get_json(client, name, **kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(body(response))


def full_period():
    """A published period holding something of every kind the files describe."""
    period = make_period(promises=3, activities=2, indicators=1, reports=(1, 2, 3))
    agreement = Agreement.objects.create(
        police_area=period.police_area, title="Samverkansöverenskommelse 2024",
        valid_from=period.valid_from, valid_to=period.valid_to,
    )
    agreement.municipalities.add(*period.municipalities.all())
    publish(agreement, by=None)
    period.agreement = agreement
    period.contact_name, period.contact_email = "Eva Samordnare", "eva@example.se"
    period.save()
    promise = period.promises.order_by("order").first()
    promise.label, promise.target_comparison, promise.target_value = "Löfte 1", "at_least", 100
    promise.target_unit, promise.target_span = "kvällar", "year"
    promise.save()
    FollowUp.objects.filter(promise=promise, activity=None, indicator=None, tertial=2).update(
        value=55
    )
    return period


def test_period_json_matches_its_documentation(client, db):
    period = full_period()
    data = get_json(client, "public:period_json", pk=period.pk)
    fields = documented_fields()
    seen = set()
    assert_matches_doc(data, "period", fields, seen=seen)
    # Every documented object occurs (the target fields sit inside promises, activities
    # and indicators).
    assert seen == set(fields) - {"target", "csv", "feed_entry", "overview_csv"}
    assert data["format_version"] == 2
    place = period.municipalities.get()
    assert data["municipality"]["code"] == place.code
    assert [m["code"] for m in data["municipalities"]] == [place.code]
    assert data["url"] == "http://testserver/medborgarloften/%d/" % period.pk
    assert data["agreement"]["url"] == "http://testserver/samverkan/%d/" % period.agreement_id
    assert data["contact"]["email"] == "eva@example.se"

    first = data["promises"][0]
    assert (first["label"], first["target_comparison"], first["target_value"]) == (
        "Löfte 1", "at_least", 100)
    assert (first["target_unit"], first["target_span"], first["target_measure"]) == (
        "kvällar", "year", "count")
    assert [(f["tertial"], f["status"], f["account"], f["value"]) for f in first["followups"]] == [
        (1, "ongoing", "Löftet T1", None), (2, "ongoing", "Löftet T2", 55),
        (3, "ongoing", "Löftet T3", None),
    ]
    activity = first["activities"][0]["followups"]
    assert [(f["year"], f["tertial"]) for f in activity] == [(2024, 1), (2024, 2), (2024, 3)]
    indicator = first["indicators"][0]
    assert (indicator["target_comparison"], indicator["target_value"]) == ("at_least", 10)
    assert [f["value"] for f in indicator["followups"]] == [3, 6, 9]
    assert [m["value"] for m in indicator["measurements"]] == [3, 6, 9]
    assert [c["year"] for c in first["year_end_comments"]] == [2024]


def test_every_promise_of_the_2018_document_in_its_order(client, katrineholm):
    period = katrineholm[2018]
    data = get_json(client, "public:period_json", pk=period.pk)
    assert [p["id"] for p in data["promises"]] == list(
        period.promises.order_by("order").values_list("pk", flat=True)
    )
    assert [p["party"] for p in data["promises"]] == [
        "municipality", "municipality", "joint", "municipality", "joint"]
    walks = data["promises"][4]["activities"][0]
    assert walks["text"] == "Två trygghetsvandringar"
    assert (walks["target_comparison"], walks["target_value"], walks["target_span"]) == (
        "at_least", 2, "year")
    assert walks["target_text"] == "minst två tillfällen"
    assert [f["status"] for f in walks["followups"]] == ["completed"] * 3
    assert data["promises"][4]["followups"] == []  # the document follows up activities
    assert [r["tertial"] for r in data["tertial_reports"]] == [1, 2, 3]


def test_the_files_are_the_same_under_the_english_address(client, db):
    period = full_period()
    swedish = body(client.get(reverse("public:period_json", kwargs={"pk": period.pk})))
    english = body(client.get("/en" + reverse("public:period_json", kwargs={"pk": period.pk})))
    assert json.loads(english) == json.loads(swedish)


def shared_period():
    """A published period of Flen, Katrineholm and Eskilstuna, served by one police area."""
    places = [Municipality.objects.get(code=code) for code in ("0482", "0483", "0484")]
    area = police_area_for(places[0])
    area.municipalities.add(*places[1:])
    period = PromisePeriod.objects.create(
        police_area=area, title="Gemensamt löfte", status="published",
        published_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
        valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2024, 12, 31),
    )
    period.municipalities.add(*places)
    Promise.objects.create(period=period, order=1, party="municipality",
                           municipality=places[1], text="Katrineholm lovar ljus")
    return period


def test_national_json_streams_every_published_period_once(client, db):
    periods = [make_period() for _ in range(3)] + [shared_period()]
    make_period(published=False)
    response = client.get(reverse("public:national_json"))
    assert isinstance(response, StreamingHttpResponse)
    data = json.loads(body(response))
    assert data["format_version"] == 2 and data["generated_at"]
    assert [p["id"] for p in data["periods"]] == [
        p.pk for p in sorted(periods, key=lambda p: (p.valid_from, p.pk))]
    fields = documented_fields()
    for record in data["periods"]:
        assert_matches_doc(record, "period", fields, seen=set())
    shared = next(p for p in data["periods"] if p["title"] == "Gemensamt löfte")
    assert [m["code"] for m in shared["municipalities"]] == ["0484", "0482", "0483"]
    assert shared["municipalities"][0]["proper_name"] == "Eskilstuna kommun"
    assert shared["promises"][0]["municipality_code"] == "0483"


def read_csv(raw):
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    return [dict(zip(rows[0], row)) for row in rows[1:]], rows[0]


def get_csv(client, name, **kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    return read_csv(body(response))


def test_period_csv_has_bom_documented_columns_and_swedish_letters(client, katrineholm):
    records, header = get_csv(client, "public:period_csv", pk=katrineholm[2018].pk)
    assert header == documented_fields()["csv"] == exports.CSV_COLUMNS
    sig = [r for r in records if r["item_text"] == "Arbeta i SIG grupper"]
    assert [(r["record_type"], r["item_kind"], r["tertial"]) for r in sig] == [
        ("followup", "activity", "1"), ("followup", "activity", "2"),
        ("followup", "activity", "3")]
    assert sig[1]["account"].startswith("Socialen och polisen träffas")
    assert sig[1]["status"] == "done_continuing"
    assert all(r["municipality"] == "Katrineholm" and r["county"] == "Södermanlands län"
               for r in records)
    # A promise whose follow-up is its activities' still has its own row.
    promises = [r for r in records if r["record_type"] == "promise"]
    assert len(promises) == 5 and {r["item_kind"] for r in promises} == {"promise"}


def test_every_promise_is_in_the_csv_even_without_activities(client, katrineholm):
    records, _ = get_csv(client, "public:period_csv", pk=katrineholm[2020].pk)
    assert len(records) == katrineholm[2020].promises.count() == 7
    assert {r["record_type"] for r in records} == {"promise"}
    assert records[0]["item_text"].startswith("Öka närvaron i centrala delen")


def test_csv_has_a_row_for_each_follow_up_of_promises_activities_and_indicators(client, db):
    period = full_period()
    records, _ = get_csv(client, "public:period_csv", pk=period.pk)
    promise = period.promises.order_by("order").first()
    own = [r for r in records if r["item_kind"] == "promise" and r["item_id"] == str(promise.pk)]
    assert [(r["record_type"], r["tertial"], r["status"], r["value"]) for r in own] == [
        ("followup", "1", "ongoing", ""), ("followup", "2", "ongoing", "55"),
        ("followup", "3", "ongoing", "")]
    assert own[0]["target"] and own[0]["target_comparison"] == "at_least"
    assert own[0]["promise_label"] == "Löfte 1"
    values = [r["value"] for r in records
              if r["item_kind"] == "indicator" and r["promise_id"] == str(promise.pk)]
    assert values == ["3", "6", "9"]
    assert {r["agreement_id"] for r in records} == {str(period.agreement_id)}
    # 3 promises × (1 + 2 activities + 1 indicator) × 3 tertials.
    assert len(records) == 36


def test_csv_of_a_shared_period_names_every_municipality_on_one_row(client, db):
    period = shared_period()
    records, _ = get_csv(client, "public:period_csv", pk=period.pk)
    [row] = records
    assert row["municipality"] == "Eskilstuna, Flen, Katrineholm"
    assert row["municipality_codes"] == "0484 0482 0483"
    assert (row["municipality_code"], row["county"]) == ("0484", "Södermanlands län")


def test_national_csv_streams_and_leaves_out_unpublished_follow_up(client, db):
    make_period(reports=(1,))
    draft = make_period(published=False)
    response = client.get(reverse("public:national_csv"))
    assert isinstance(response, StreamingHttpResponse)
    records, header = read_csv(body(response))
    assert header == exports.CSV_COLUMNS
    followups = [r for r in records if r["record_type"] == "followup"]
    assert {r["tertial"] for r in followups} == {"1"}
    assert {r["item_kind"] for r in followups} == {"promise", "activity", "indicator"}
    assert str(draft.pk) not in {r["period_id"] for r in records}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["public:period_json", "public:period_csv"])
def test_draft_period_has_no_open_data(client, name):
    draft = make_period(published=False)
    assert client.get(reverse(name, kwargs={"pk": draft.pk})).status_code == 404
    assert client.get(reverse(name, kwargs={"pk": 999999})).status_code == 404


def test_a_draft_agreement_is_not_named_in_the_files(client, db):
    period = full_period()
    from promises.publishing import unpublish

    unpublish(period.agreement, by=None, reason="Inte klar")
    data = get_json(client, "public:period_json", pk=period.pk)
    assert data["agreement"] is None
    records, _ = get_csv(client, "public:period_csv", pk=period.pk)
    assert {r["agreement_id"] for r in records} == {""}
    assert "Samverkansöverenskommelse 2024" not in json.dumps(data, ensure_ascii=False)


INTERNAL = "HEMLIG-INTERN-ANTECKNING-9c1d"


def test_internal_notes_are_never_exported(client, db):
    period = make_period(note=INTERNAL, reports=(1, 2, 3))
    assert FollowUp.objects.filter(internal_note=INTERNAL, activity=None,
                                   indicator=None).exists()
    for name, kwargs in [
        ("public:period_json", {"pk": period.pk}), ("public:period_csv", {"pk": period.pk}),
        ("public:national_json", {}), ("public:national_csv", {}),
    ]:
        content = body(client.get(reverse(name, kwargs=kwargs)))
        assert b"Redovisning T3" in content, name
        assert INTERNAL.encode() not in content, name


FORMULAS = [
    '=HYPERLINK("http://example.org","klicka")', "+SUM(A1:A9)", "-2+3", "@cmd",
    "\t=1+1", "\r=1+1", "＝1+1", "＋1", "－1", "＠A1",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_csv_text_never_starts_a_spreadsheet_formula(client, katrineholm, text):
    period = katrineholm[2018]
    activity = Activity.objects.filter(promise__period=period).order_by("pk").first()
    activity.text = text
    activity.save()
    records, _ = get_csv(client, "public:period_csv", pk=period.pk)
    texts = {r["item_text"] for r in records}
    assert "'" + text in texts
    assert text not in texts
    # The JSON keeps the text exactly as entered.
    data = get_json(client, "public:period_json", pk=period.pk)
    assert text in {a["text"] for p in data["promises"] for a in p["activities"]}


def test_numbers_stay_numbers_in_the_csv(client, db):
    period = make_period(promises=1, activities=0, indicators=1, reports=(1,))
    FollowUp.objects.filter(indicator__promise__period=period, tertial=1).update(value=-5)
    Activity.objects.create(promise=period.promises.get(), text="-5")
    records, _ = get_csv(client, "public:period_csv", pk=period.pk)
    assert "-5" in {r["value"] for r in records}
    assert "-5" in {r["item_text"] for r in records}  # a number as text runs nothing


def national_queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        b"".join(response.streaming_content)
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["public:national_json", "public:national_csv"])
def test_national_files_cost_a_fixed_number_of_queries_per_chunk(client, monkeypatch, name):
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    place = Municipality.objects.get(code="0764")
    url = reverse(name)
    counts = []
    for chunk in range(3):
        for year in (2000 + 2 * chunk, 2001 + 2 * chunk):
            make_period(place, year=year, promises=2, activities=2)
        counts.append(national_queries(client, url))
    # Each chunk: its periods, then one query per kind of thing they hold (at most 12, the
    # budget of every public page, tests/test_query_budget.py), whatever they hold.
    per_chunk = counts[1] - counts[0]
    assert counts[2] - counts[1] == per_chunk
    assert 0 < per_chunk <= 12
