"""The national overview of every municipality, its files, and the Excel files of periods."""

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from followup.models import FollowUp
from municipalities.models import Municipality
from promises.models import Promise
from tests.factories import make_period

THIS_YEAR = timezone.localdate().year


def current_period(slug, **kwargs):
    return make_period(Municipality.objects.get(slug=slug), year=THIS_YEAR, **kwargs)


def overview(client, **params):
    return client.get(reverse("public:overview"), params)


def names(response):
    return [row.municipality.name for row in response.context["rows"]]


@pytest.mark.django_db
def test_overview_lists_every_municipality_with_its_current_promise(client):
    period = current_period("flen", promises=4, reports=(1,))
    first = period.promises.order_by("order").first()
    FollowUp.objects.filter(promise=first, activity=None, indicator=None, tertial=1).update(
        status=""
    )
    make_period(Municipality.objects.get(slug="ale"), year=THIS_YEAR - 5)  # over: not current
    response = overview(client)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == 290
    flen = next(r for r in rows if r.municipality.slug == "flen")
    assert flen.period.pk == period.pk
    assert flen.promise_count == 4
    assert (flen.tertial.year, flen.tertial.number) == (THIS_YEAR, 1)
    assert flen.followed_up_share == 75
    assert flen.police_area == period.police_area.name
    ale = next(r for r in rows if r.municipality.slug == "ale")
    assert ale.period is None
    assert response.context["totals"].with_current == 1
    page = response.content.decode()
    assert period.get_absolute_url() in page
    assert "75 %" in page


@pytest.mark.django_db
def test_overview_filters_by_county_and_police_region(client):
    response = overview(client, lan="04")
    assert response.status_code == 200
    assert re.search(r"<h1>[^<]*: Södermanlands län</h1>", response.content.decode())
    assert set(names(response)) == set(
        Municipality.objects.filter(county__code="04").values_list("name", flat=True)
    )
    response = overview(client, region="region-nord")
    assert {r.municipality.county.police_region.slug for r in response.context["rows"]} == {
        "region-nord"
    }
    # An unknown value is ignored rather than an error.
    assert len(overview(client, lan="99", sortera="nonsense").context["rows"]) == 290


@pytest.mark.django_db
def test_overview_sorts_by_any_column_with_links_and_aria_sort(client):
    current_period("flen", promises=2)
    current_period("kiruna", promises=5)
    response = overview(client, sortera="promises", ordning="fallande")
    assert names(response)[:2] == ["Kiruna", "Flen"]
    page = response.content.decode()
    assert 'aria-sort="descending"' in page
    # The header of the sorted column links to the other direction.
    assert "?sortera=promises\"" in page
    ascending = overview(client, sortera="promises")
    assert names(ascending)[:2] == ["Flen", "Kiruna"]
    # Swedish order: Å, Ä and Ö after Z.
    by_name = names(overview(client))
    assert by_name.index("Åre") > by_name.index("Ydre")
    assert by_name.index("Öckerö") > by_name.index("Älmhult") > by_name.index("Åre")


@pytest.mark.django_db
def test_overview_files_follow_the_filters(client):
    current_period("flen", promises=3)
    response = client.get(reverse("public:overview_csv"), {"lan": "04"})
    text = b"".join([response.content]).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["county"] for row in rows} == {"Södermanlands län"}
    assert next(r for r in rows if r["municipality"] == "Flen")["promises"] == "3"
    response = client.get(reverse("public:overview_xlsx"), {"lan": "04"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:4] == ("Kommunkod", "Kommun", "Län", "Polisregion")
    assert len(values) == len(rows) + 1


@pytest.mark.django_db
def test_period_xlsx_has_swedish_headers_and_labels_and_never_a_formula(client):
    period = current_period("flen", promises=1, activities=1, indicators=0)
    promise = period.promises.get()
    Promise.objects.filter(pk=promise.pk).update(text="=HYPERLINK(\"http://evil\")")
    FollowUp.objects.filter(promise=promise, activity__isnull=False).update(
        status="done_continuing", account="+46 8 123 45"
    )
    response = client.get(reverse("public:period_xlsx", kwargs={"pk": period.pk}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, *rows = list(sheet.iter_rows())
    headers = [c.value for c in header]
    assert {"Kommun", "Löfte", "Status", "Redovisning", "Tertial"} <= set(headers)
    status = headers.index("Status")
    assert "Utfört och pågående" in {row[status].value for row in rows}
    assert "done_continuing" not in {row[status].value for row in rows}
    text = rows[0][headers.index("Löfte")]
    assert text.value == "=HYPERLINK(\"http://evil\")" and text.data_type == "s"
    account = next(
        r[headers.index("Redovisning")] for r in rows if r[headers.index("Typ")].value
        == "Aktivitet" and r[status].value
    )
    assert account.value == "+46 8 123 45" and account.data_type == "s"


@pytest.mark.django_db
def test_national_xlsx_holds_every_published_period(client):
    first = current_period("flen", promises=1)
    second = current_period("kiruna", promises=1)
    make_period(Municipality.objects.get(slug="ale"), published=False)
    response = client.get(reverse("public:national_xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    titles = {row[values[0].index("Medborgarlöfte")] for row in values[1:]}
    assert titles == {first.title, second.title}


@pytest.mark.django_db
def test_spreadsheet_links_are_labelled_truthfully(client):
    period = current_period("flen")
    page = client.get(period.get_absolute_url()).content.decode()
    assert "Excel (.xlsx)" in page
    assert reverse("public:period_xlsx", kwargs={"pk": period.pk}) in page
    home = client.get(reverse("public:home")).content.decode()
    assert reverse("public:overview") in home
    assert reverse("public:national_xlsx") in home


@pytest.mark.django_db
def test_municipality_page_shows_its_current_period_with_its_summary(client):
    period = current_period("flen", promises=3, reports=(1, 2))
    first = period.promises.order_by("order").first()
    FollowUp.objects.filter(promise=first, activity=None, indicator=None, tertial=2).update(
        status="postponed"
    )
    response = client.get(reverse("public:municipality", kwargs={"slug": "flen"}))
    (shown, summary), = response.context["current_summaries"]
    assert shown.pk == period.pk
    assert (summary.tertial.year, summary.tertial.number) == (THIS_YEAR, 2)
    assert (summary.on_track, summary.total) == (2, 3)
    page = response.content.decode()
    assert f"T2 {THIS_YEAR}:" in page
    assert "status-postponed" in page


@pytest.mark.django_db
def test_overview_csv_has_the_documented_fields(client):
    from tests.test_open_data import documented_fields

    response = client.get(reverse("public:overview_csv"))
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header == documented_fields()["overview_csv"]
