"""Search over published promises, activities and public follow-up accounts."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse

from followup.models import FollowUp
from municipalities.models import Municipality
from promises.models import Activity, Promise, PromisePeriod
from public.search import SwedishVector
from tests.factories import make_period, police_area_for

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Swedish full-text search is PostgreSQL's"
)


def search(client, query, status=200):
    response = client.get(reverse("public:search"), {"q": query})
    assert response.status_code == status, query
    return response.content.decode()


def test_searching_a_municipality_leads_to_its_periods(client, katrineholm):
    html = search(client, "Katrineholm")
    for period in katrineholm.values():
        assert f'href="{period.get_absolute_url()}"' in html
    assert "Lokala medborgarlöften i Katrineholms kommun år 2018" in html


def test_search_finds_promises_activities_and_accounts_with_links(client, katrineholm):
    html = search(client, "trygghetsvandringar")
    activity = Activity.objects.get(text="Två trygghetsvandringar")
    period_url = katrineholm[2018].get_absolute_url()
    # The activity leads to its promise's card on the period page.
    assert f'href="{period_url}#promise-{activity.promise_id}"' in html
    # The matching account leads to its tertial's page, at the same card.
    assert "Två trygghetsvandringar gjorda och åtgärder" in html
    assert f'href="{period_url}2018/tertial-3/#promise-{activity.promise_id}"' in html
    assert f'id="promise-{activity.promise_id}"' in client.get(period_url).content.decode()


@pytest.mark.django_db
def test_search_finds_the_accounts_of_promises_and_indicators_too(client):
    period = make_period(reports=(1,))
    promise = period.promises.order_by("order").first()
    FollowUp.objects.filter(promise=promise, activity=None, indicator=None, tertial=1).update(
        account="Löftet hölls med nattvandrare"
    )
    FollowUp.objects.filter(indicator__promise=promise, tertial=1).update(
        account="Mätningen gjordes av nattvandrare"
    )
    html = search(client, "nattvandrare")
    assert "Löftet hölls med nattvandrare" in html
    assert "Mätningen gjordes av nattvandrare" in html
    assert "2 träffar" in html


@pytest.mark.django_db
def test_a_period_of_several_municipalities_is_found_by_each_name_once(client):
    places = [Municipality.objects.get(code=code) for code in ("0482", "0483")]
    area = police_area_for(places[0])
    area.municipalities.add(places[1])
    period = PromisePeriod.objects.create(
        police_area=area, title="Gemensamt löfte", status="published",
        published_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
        valid_from=datetime.date(2024, 1, 1), valid_to=datetime.date(2024, 12, 31),
    )
    period.municipalities.add(*places)
    for name in ("Flen", "Katrineholm"):
        html = search(client, name)
        assert html.count(f'href="{period.get_absolute_url()}"') == 1, name
        assert "Flen, Katrineholm: Gemensamt löfte" in html


@pytest.mark.django_db
def test_drafts_and_unpublished_accounts_are_not_found(client):
    make_period(published=False)
    period = make_period(reports=(1,))
    FollowUp.objects.filter(promise__period=period, tertial=2).update(
        account="Hemligt utkastord"
    )
    html = search(client, "Hemligt utkastord")
    assert "0 träffar" in html
    Promise.objects.filter(period__status="draft").update(text="Bara i utkastet")
    assert "0 träffar" in search(client, "Bara i utkastet")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("", 200, "Skriv ett eller flera ord"),
        ("   ", 200, "Skriv ett eller flera ord"),
        ("x" * 201, 400, "Sökningen är för lång"),
        ("trygg\x1bhet", 400, "tecken som inte går att söka på"),
        ("trygg\u200bhet", 400, "tecken som inte går att söka på"),
    ],
)
def test_bad_search_input_gets_a_clear_message(client, query, status, message):
    assert message in search(client, query, status=status)


@pytest.mark.django_db
def test_a_nul_byte_is_refused_before_any_search(client):
    # Refused site-wide (config/middleware.py), before a database sees it.
    assert client.get(reverse("public:search"), {"q": "trygg\x00het"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ['"', "'", "&|!", "trygg & | ! (", "-", "a:*", "%", "_", "\\", "<script>"]
)
def test_search_syntax_characters_never_cause_an_error(client, query):
    make_period()
    html = search(client, query)
    assert "<script>" not in html.split("<main", 1)[1]


def test_search_page_without_a_query_shows_the_form(client, db):
    html = client.get(reverse("public:search")).content.decode()
    assert 'name="q"' in html and "träff" not in html


@on_postgresql
@pytest.mark.django_db
def test_swedish_stemming_finds_the_singular_from_the_plural(client):
    period = make_period()
    Activity.objects.filter(promise__period=period).update(text="En trygghetsvandring i Åby")
    html = search(client, "trygghetsvandringar")
    assert "En trygghetsvandring i Åby" in html


@on_postgresql
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("model", "column", "index"),
    [
        (Promise, "text", "promise_text_search_idx"),
        (Activity, "text", "activity_text_search_idx"),
        (FollowUp, "account", "followup_account_search_idx"),
    ],
)
def test_search_expression_is_the_one_the_index_holds(model, column, index):
    from django.contrib.postgres.search import SearchQuery

    queryset = model.objects.annotate(v=SwedishVector(column)).filter(
        v=SearchQuery("trygghet", config="swedish", search_type="websearch")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert index in plan
