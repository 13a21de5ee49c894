"""Search over published promises, activities and public follow-up accounts."""

import pytest
from django.db import connection
from django.urls import reverse

from followup.models import FollowUp
from promises.models import Activity, Promise
from public.search import SwedishVector
from tests.factories import make_period

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
    assert f"{katrineholm[2018].get_absolute_url()}#activity-{activity.pk}" in html
    assert "Två trygghetsvandringar gjorda och åtgärder" in html  # the matching account
    promise = activity.promise
    assert f"#promise-{promise.pk}" in html


@pytest.mark.django_db
def test_drafts_and_unpublished_accounts_are_not_found(client):
    make_period(published=False)
    period = make_period(reports=(1,))
    FollowUp.objects.filter(activity__promise__period=period, tertial=2).update(
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
        ("trygg\x00het", 400, "tecken som inte går att söka på"),
        ("trygg\x1bhet", 400, "tecken som inte går att söka på"),
    ],
)
def test_bad_search_input_gets_a_clear_message(client, query, status, message):
    assert message in search(client, query, status=status)


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
