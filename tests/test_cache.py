"""The public page cache: anonymous visitors get cached pages until something behind them
changes; editors never do; exports and stored PDFs answer conditional GETs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followup.models import TertialReport
from followup.services import publish_tertial_report
from promises.models import FocusArea, Promise, PromisePeriod



def period_url(period):
    return reverse("public:period", kwargs={"pk": period.pk})


def get(client, url):
    """(response, body, number of SQL queries)."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        body = (
            b"".join(response.streaming_content) if response.streaming else response.content
        )
    return response, body.decode(), len(queries)


def test_second_anonymous_visit_is_served_from_the_cache(client, katrineholm):
    url = period_url(katrineholm[2018])
    first, first_html, first_queries = get(client, url)
    second, second_html, second_queries = get(client, url)
    assert first.status_code == second.status_code == 200
    assert first_queries > 0 and second_queries == 0
    assert first_html == second_html
    assert "Cookie" in second["Vary"]


@pytest.mark.parametrize("change", ["save", "m2m", "delete"])
def test_a_change_behind_the_page_retires_it_at_once(client, katrineholm, change):
    period = katrineholm[2018]
    url = period_url(period)
    promise = Promise.objects.filter(period=period).order_by("order").first()
    get(client, url)
    if change == "save":
        promise.text = "Polisen lovar något helt nytt i centrum."
        promise.save()
        expected = "Polisen lovar något helt nytt i centrum."
    elif change == "m2m":
        area = FocusArea.objects.create(period=period, name="Helt nytt fokusområde", order=9)
        promise.focus_areas.add(area)
        expected = "Helt nytt fokusområde"
    else:
        gone = promise.text
        promise.delete()
        expected = None
    response, html, queries = get(client, url)
    assert queries > 0
    if expected:
        assert expected in html
    else:
        assert gone not in html


def test_publishing_a_tertial_report_shows_its_follow_up_on_the_cached_page(
    client, katrineholm, django_user_model
):
    period = katrineholm[2018]
    report = TertialReport.objects.get(period=period, year=2018, tertial=3)
    publisher = django_user_model.objects.create_user("publisher")
    report.status, report.published_at = "draft", None
    report.save()
    url = reverse("public:tertial_report", args=[period.pk, 2018, 3])
    assert get(client, url)[0].status_code == 404
    publish_tertial_report(report, by=publisher)
    assert get(client, url)[0].status_code == 200


def test_editors_never_get_or_fill_the_cache(superuser_client, katrineholm):
    from django.test import Client

    period = katrineholm[2022]
    period.status, period.published_at = "draft", None
    period.save()
    url = period_url(period)
    for _ in range(2):
        response, html, queries = get(superuser_client, url)
        assert response.status_code == 200 and queries > 0
    # The editor's preview of the draft did not land in the cache for everyone.
    assert get(Client(), url)[0].status_code == 404


def test_language_and_query_string_have_their_own_cache_entries(client, katrineholm):
    url = period_url(katrineholm[2018])
    assert '<html lang="sv">' in get(client, url)[1]
    assert '<html lang="en">' in get(client, "/en" + url)[1]
    search = reverse("public:search")
    assert "Katrineholm" in get(client, search + "?q=Katrineholm")[1]
    assert "Katrineholm" not in get(client, search + "?q=Xyzzyvägen")[1]


def test_national_export_answers_a_conditional_get_until_data_changes(client, katrineholm):
    url = reverse("public:national_json")
    first = client.get(url)
    b"".join(first.streaming_content)
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    period = katrineholm[2018]
    period.title = "Ny titel"
    period.save()
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag
    assert "Ny titel" in b"".join(again.streaming_content).decode()


def test_stored_pdf_answers_a_conditional_get(client, katrineholm, signing_keys):
    from promises.documents.services import generate_agreement

    document = generate_agreement(katrineholm[2022])
    url = reverse("public:document", args=[document.sha256])
    first = client.get(url)
    assert first.status_code == 200
    assert first["ETag"] == f'"{document.sha256}"'
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    period = PromisePeriod.objects.get(pk=katrineholm[2022].pk)
    period.status, period.published_at = "draft", None
    period.save()
    # Unpublished: gone for the public, validator or not.
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def test_generation_number_changes_with_each_public_write(katrineholm):
    from public.cache import public_generation

    before = public_generation()
    TertialReport.objects.filter(period=katrineholm[2018]).first().save()
    middle = public_generation()
    period = katrineholm[2020]
    period.updated_at = timezone.now()
    period.save()
    assert before != middle != public_generation()
