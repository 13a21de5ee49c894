"""The open data: JSON and CSV per period and for the whole country, as documented in
docs/open-data.md."""

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from tests.factories import make_period

DOC = Path(__file__).resolve().parent.parent / "docs" / "open-data.md"


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
    "police_area": "police_area",
    "focus_areas": "focus_area",
    "signatories": "signatory",
    "promises": "promise",
    "year_end_comments": "year_end_comment",
    "activities": "activity",
    "followups": "followup",
    "indicators": "indicator",
    "measurements": "measurement",
    "tertial_reports": "tertial_report",
}


def assert_matches_doc(record, section, fields, *, seen):
    expected = set(fields[section])
    if section == "period" and "format_version" not in record:
        expected.discard("format_version")  # only a single period's file carries it
    assert set(record) == expected, section
    seen.add(section)
    for key, value in record.items():
        if key in NESTED:
            for item in value if isinstance(value, list) else [value]:
                assert_matches_doc(item, NESTED[key], fields, seen=seen)


def body(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def test_period_json_matches_its_documentation(client, db):
    period = make_period(promises=3, activities=2, indicators=1, reports=(1, 2, 3))
    response = client.get(reverse("public:period_json", kwargs={"pk": period.pk}))
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(body(response))
    fields = documented_fields()
    seen = set()
    assert_matches_doc(data, "period", fields, seen=seen)
    assert seen == set(NESTED.values()) | {"period"}  # every documented object occurs
    assert data["format_version"] == 1
    assert data["municipality"]["code"] == period.municipality.code
    assert data["url"] == "http://testserver/medborgarloften/%d/" % period.pk
    first = data["promises"][0]["activities"][0]["followups"]
    assert [(f["year"], f["tertial"]) for f in first] == [(2024, 1), (2024, 2), (2024, 3)]
    assert data["promises"][0]["indicators"][0]["measurements"][1]["value"] == 6


def test_national_json_streams_every_published_period(client, db):
    periods = [make_period() for _ in range(3)]
    make_period(published=False)
    response = client.get(reverse("public:national_json"))
    assert isinstance(response, StreamingHttpResponse)
    data = json.loads(body(response))
    assert data["format_version"] == 1 and data["generated_at"]
    assert sorted(p["id"] for p in data["periods"]) == sorted(p.pk for p in periods)
    fields = documented_fields()
    for record in data["periods"]:
        assert_matches_doc(record, "period", fields, seen=set())


def read_csv(raw):
    assert raw.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_period_csv_has_bom_documented_columns_and_swedish_letters(client, katrineholm):
    response = client.get(reverse("public:period_csv", kwargs={"pk": katrineholm[2018].pk}))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(body(response))
    assert rows[0] == documented_fields()["csv"]
    records = [dict(zip(rows[0], row)) for row in rows[1:]]
    sig = [r for r in records if r["item_text"] == "Arbeta i SIG grupper"]
    assert [r["tertial"] for r in sig] == ["1", "2", "3"]
    assert sig[1]["account"].startswith("Socialen och polisen träffas")
    assert all(r["municipality"] == "Katrineholm" and r["county"] == "Södermanlands län"
               for r in records)


def test_every_promise_is_in_the_csv_even_without_activities(client, katrineholm):
    response = client.get(reverse("public:period_csv", kwargs={"pk": katrineholm[2020].pk}))
    records = read_csv(body(response))[1:]
    assert len(records) == katrineholm[2020].promises.count()
    assert {r[0] for r in records} == {"promise"}


def test_national_csv_streams_and_leaves_out_unpublished_follow_up(client, db):
    make_period(reports=(1,))
    draft = make_period(published=False)
    response = client.get(reverse("public:national_csv"))
    assert isinstance(response, StreamingHttpResponse)
    rows = read_csv(body(response))
    records = [dict(zip(rows[0], row)) for row in rows[1:]]
    assert {r["tertial"] for r in records if r["record_type"] == "followup"} == {"1"}
    assert {r["tertial"] for r in records if r["record_type"] == "measurement"} == {"1"}
    assert str(draft.pk) not in {r["period_id"] for r in records}


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["public:period_json", "public:period_csv"])
def test_draft_period_has_no_open_data(client, name):
    draft = make_period(published=False)
    assert client.get(reverse(name, kwargs={"pk": draft.pk})).status_code == 404
    assert client.get(reverse(name, kwargs={"pk": 999999})).status_code == 404


def test_csv_text_never_starts_a_spreadsheet_formula(client, katrineholm):
    from promises.models import Activity

    period = katrineholm[2018]
    activity = Activity.objects.filter(promise__period=period).order_by("pk").first()
    activity.text = '=HYPERLINK("http://example.org","klicka")'
    activity.save()
    response = client.get(reverse("public:period_csv", kwargs={"pk": period.pk}))
    rows = read_csv(body(response))
    texts = {dict(zip(rows[0], row))["item_text"] for row in rows[1:]}
    assert "'" + activity.text in texts
    assert activity.text not in texts
    # The JSON keeps the text exactly as entered.
    data = json.loads(client.get(reverse("public:period_json", kwargs={"pk": period.pk})).content)
    as_json = json.dumps(activity.text, ensure_ascii=False)
    assert as_json in json.dumps(data, ensure_ascii=False)
