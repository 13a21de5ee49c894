"""Search over what published periods say: promises, activities, indicators, priorities,
focus areas, labels and public follow-up accounts; related word forms, filters, pages, the
capped count, highlighting and the latest status, on SQLite and PostgreSQL alike."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from followup.models import FollowUp, TertialReport
from municipalities.models import Municipality
from promises.models import (
    Activity, Agreement, FocusArea, Indicator, Priority, Promise, PromisePeriod,
)
from promises.signals import bulk_change
from public import search_index
from public.models import SearchEntry
from public.search import COUNT, COUNT_AND_PAGE, NAMED, Filters, Hits, Terms
from tests.factories import make_period, police_area_for

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="Swedish full-text search is PostgreSQL's"
)


def search(client, query, expect=200, **filters):
    response = client.get(reverse("public:search"), {"q": query, **filters})
    assert response.status_code == expect, (query, filters)
    return response.content.decode()


def text_of(html):
    """The page without its highlighting, as a reader hears it."""
    return html.replace("<mark>", "").replace("</mark>", "")


def hits_of(html):
    return re.findall(r'<li class="hit">(.*?)</li>', html, flags=re.DOTALL)


def test_searching_a_municipality_leads_to_its_periods(client, katrineholm):
    html = search(client, "Katrineholm")
    for period in katrineholm.values():
        assert f'href="{period.get_absolute_url()}"' in html
    assert "Lokala medborgarlöften i Katrineholms kommun år 2018" in text_of(html)


def test_search_finds_promises_activities_and_accounts_with_links(client, katrineholm):
    html = search(client, "trygghetsvandringar")
    activity = Activity.objects.get(text="Två trygghetsvandringar")
    period_url = katrineholm[2018].get_absolute_url()
    # The activity leads to its promise's card on the period page.
    assert f'href="{period_url}#promise-{activity.promise_id}"' in html
    # The matching account leads to its tertial's page, at the same card.
    assert "Två trygghetsvandringar gjorda och åtgärder" in text_of(html)
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
    html = text_of(search(client, "nattvandrare"))
    assert "Löftet hölls med nattvandrare" in html
    assert "Mätningen gjordes av nattvandrare" in html
    assert "2 träffar" in html


@pytest.mark.django_db
def test_indicators_priorities_focus_areas_and_labels_are_found(client):
    period = make_period()
    promise = period.promises.order_by("order").first()
    Indicator.objects.filter(promise=promise).update(name="Antal anmälda cykelstölder")
    Priority.objects.filter(period=period).update(label="Prioritering 2",
                                                  text="Färre bostadsinbrott")
    FocusArea.objects.filter(period=period).update(
        name="Mopedbuskörning", description="Buskörning kring torget"
    )
    Promise.objects.filter(pk=promise.pk).update(label="Löfte 3")
    for query, expected in [
        ("cykelstölder", "Antal anmälda cykelstölder"),
        ("bostadsinbrott", "Färre bostadsinbrott"),
        ("mopedbuskörning", "Mopedbuskörning"),
        ("buskörning", "Buskörning kring torget"),
        ("Prioritering 2", "Färre bostadsinbrott"),
        ("Löfte 3", promise.text),
    ]:
        html = text_of(search(client, query))
        assert expected in html, query
        assert f'href="{period.get_absolute_url()}' in html, query


@pytest.mark.django_db
def test_focus_areas_of_a_published_agreement_are_found_and_lead_to_it(client):
    place = Municipality.objects.get(code="0483")
    agreement = Agreement.objects.create(
        police_area=police_area_for(place), title="Samverkan 2024–2027", status="published",
        published_at=timezone.now(), valid_from=datetime.date(2024, 1, 1),
        valid_to=datetime.date(2027, 12, 31),
    )
    agreement.municipalities.add(place)
    FocusArea.objects.create(agreement=agreement, name="Trafiksäkerhet vid skolor")
    html = search(client, "trafiksäkerhet")
    assert f'href="{reverse("public:agreement", kwargs={"pk": agreement.pk})}"' in html
    assert "Katrineholm: Samverkan 2024–2027" in html
    Agreement.objects.filter(pk=agreement.pk).update(status="draft", published_at=None)
    bulk_change.send(sender=Agreement)  # a bulk update says so: no page, no index row is kept
    assert "0 träffar" in search(client, "trafiksäkerhet")


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["nattvandring", "nattvandrare", "nattvandrande",
                                   "Nattvandringar"])
def test_related_word_forms_are_found(client, query):
    period = make_period()
    texts = {
        "Kommunen stödjer nattvandrande föräldrar",
        "Fler nattvandrare på helgerna",
        "En nattvandring i månaden",
    }
    for activity, text in zip(Activity.objects.filter(promise__period=period), texts,
                              strict=False):
        activity.text = text
        activity.save()
    html = text_of(search(client, query))
    for text in texts:
        assert text in html, (query, text)


@pytest.mark.django_db
def test_the_words_found_are_marked_and_the_text_is_escaped(client):
    period = make_period()
    promise = period.promises.order_by("order").first()
    Promise.objects.filter(pk=promise.pk).update(
        text='<script>alert("x")</script> Nattvandrare & <b>föräldrar</b>'
    )
    html = search(client, "nattvandring")
    main = html.split("<main", 1)[1]
    assert "<script>alert" not in main and "<b>" not in main
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; <mark>Nattvandrare</mark> &amp; " \
        "&lt;b&gt;föräldrar&lt;/b&gt;" in main


@pytest.mark.django_db
def test_a_query_that_is_markup_is_escaped_everywhere(client):
    period = make_period()
    Activity.objects.filter(promise__period=period).update(text="Möte om <mark>")
    html = search(client, "<mark>")
    main = html.split("<main", 1)[1]
    assert "Möte om <mark>" not in main
    assert "&lt;mark&gt;" in main


@pytest.mark.django_db
def test_drafts_and_unpublished_accounts_are_not_found(client):
    draft = make_period(published=False)
    period = make_period(reports=(1,))
    FollowUp.objects.filter(promise__period=period, tertial=2).update(
        account="Hemligt utkastord"
    )
    html = search(client, "Hemligt utkastord")
    assert "0 träffar" in html
    Promise.objects.filter(period=draft).update(text="Bara i utkastet")
    Activity.objects.filter(promise__period=draft).update(text="Bara i utkastet")
    Indicator.objects.filter(promise__period=draft).update(name="Bara i utkastet")
    Priority.objects.filter(period=draft).update(text="Bara i utkastet")
    FocusArea.objects.filter(period=draft).update(name="Bara i utkastet")
    FollowUp.objects.filter(promise__period=draft).update(account="Bara i utkastet")
    TertialReport.objects.filter(period=draft).update(status="published",
                                                      published_at=timezone.now())
    PromisePeriod.objects.filter(pk=draft.pk).update(title="Bara i utkastet")
    assert "0 träffar" in search(client, "Bara i utkastet")
    assert "0 träffar" in search(client, draft.municipalities.get().name)


@pytest.mark.django_db
def test_each_hit_shows_its_latest_published_status(client, english):
    period = make_period(reports=(1,))
    promise = period.promises.order_by("order").first()
    Promise.objects.filter(pk=promise.pk).update(text="Fler fältassistenter ute")
    own = FollowUp.objects.filter(promise=promise, activity=None, indicator=None)
    own.filter(tertial=1).update(status="completed")
    # Tertial 2's report is a draft: its status is not public yet.
    own.filter(tertial=2).update(status="postponed")
    hit = hits_of(search(client, "fältassistenter"))[0]
    assert "Completed" in hit and "tertial 1 2024" in hit
    assert "Postponed" not in hit


def filtered_periods():
    """Two published periods in different municipalities, counties, years and parties."""
    katrineholm = Municipality.objects.get(code="0483")  # Södermanland
    kiruna = Municipality.objects.get(code="2584")  # Norrbotten
    first = make_period(katrineholm, year=2023, reports=(1,))
    second = make_period(kiruna, year=2025, reports=(1,))
    for period in (first, second):
        for promise in period.promises.all():
            Promise.objects.filter(pk=promise.pk).update(text=f"Grannsamverkan {promise.party}")
        FollowUp.objects.filter(promise__period=period, activity=None, indicator=None,
                                tertial=1).update(status="completed")
    FollowUp.objects.filter(promise__period=second, activity=None, indicator=None,
                            tertial=1, promise__order=0).update(status="postponed")
    return first, second


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filters", "found"),
    [
        ({}, {"first", "second"}),
        ({"municipality": "katrineholm"}, {"first"}),
        ({"county": "25"}, {"second"}),
        ({"year": "2023"}, {"first"}),
        ({"year": "2024"}, set()),
        ({"party": "police"}, {"first", "second"}),
        ({"status": "postponed"}, {"second"}),
        ({"status": "completed", "municipality": "kiruna"}, {"second"}),
        ({"status": "completed", "year": "2025", "party": "police"}, set()),
    ],
)
def test_filters_narrow_the_hits(client, filters, found):
    first, second = filtered_periods()
    html = search(client, "grannsamverkan", **filters)
    shown = {name for name, period in [("first", first), ("second", second)]
             if f'href="{period.get_absolute_url()}#promise-' in html}
    assert shown == found
    if filters.get("party"):
        assert all(f"Grannsamverkan {filters['party']}" in text_of(hit)
                   for hit in hits_of(html))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"municipality": "atlantis"}, "There is no municipality “atlantis”"),
        ({"county": "99"}, "There is no county “99”"),
        ({"year": "förra året"}, "The year is a number such as 2024."),
        ({"year": "1066"}, "The year is a number between 2000 and 2100."),
        ({"party": "pirates"}, "Choose who promises from the list."),
        ({"status": "<b>done</b>"}, "Choose a status from the list."),
    ],
)
def test_bad_filters_get_a_clear_message_and_400(client, english, filters, message):
    html = search(client, "trygghet", expect=400, **filters)
    assert message in html
    assert "Some of the filters could not be used." in html
    assert 'aria-invalid="true"' in html
    assert "<b>done</b>" not in html


@pytest.mark.django_db
def test_hits_come_a_page_at_a_time(client, english):
    period = make_period(promises=1, activities=0, indicators=0)
    Priority.objects.bulk_create(
        Priority(period=period, order=n, text=f"Kameraövervakning {n}") for n in range(25)
    )
    html = search(client, "kameraövervakning")
    assert "25 hits for “kameraövervakning”." in html
    assert "Page 1 of 2" in html
    assert len(hits_of(html)) == 20
    assert '<nav class="pagination" aria-label="Pages of hits">' in html
    assert 'href="?q=kamera%C3%B6vervakning&amp;page=2" rel="next"' in html
    second = search(client, "kameraövervakning", page="2")
    assert len(hits_of(second)) == 5
    assert "Page 2 of 2" in second
    texts = {re.search(r"Kameraövervakning \d+", text_of(hit)).group()
             for hit in hits_of(html) + hits_of(second)}
    assert len(texts) == 25
    # The links keep the rest of the address as it is, whatever it holds.
    odd = search(client, "kameraövervakning", other="918273645")
    assert 'href="?q=kamera%C3%B6vervakning&amp;other=918273645&amp;page=2" rel="next"' in odd
    # A page that is not a number, or past the end, is the first or the last.
    assert len(hits_of(search(client, "kameraövervakning", page="x"))) == 20
    assert len(hits_of(search(client, "kameraövervakning", page="99"))) == 5


@pytest.mark.django_db
def test_periods_come_first_and_the_ranking_holds_across_pages(client, english):
    """Periods are read apart from the other kinds (public/search.py, PAGE): the ranking of
    the merged hits is the same, on every page."""
    older = make_period(year=2023, promises=1, activities=0, indicators=0)
    newer = make_period(year=2024, promises=1, activities=0, indicators=0)
    PromisePeriod.objects.filter(pk__in=[older.pk, newer.pk]).update(
        title="Kameraövervakning i Åby"
    )
    for period in (older, newer):
        Priority.objects.bulk_create(
            Priority(period=period, order=n, text=f"Kameraövervakning {n}") for n in range(12)
        )
    bulk_change.send(sender=PromisePeriod)  # a bulk update says so
    cache.clear()
    first, second = (hits_of(search(client, "kameraövervakning", page=page))
                     for page in ("1", "2"))
    assert len(first) == 20 and len(second) == 6
    kinds = [re.search(r'<p class="hit-kind">(.*?)</p>', hit).group(1).split(" · ")[0]
             for hit in first + second]
    assert kinds == ["Citizen promise"] * 2 + ["Priority"] * 24, kinds
    # Newest first within a kind: the 2024 period before the 2023 one, and its priorities.
    assert f"/{newer.pk}/" in first[0] and f"/{older.pk}/" in first[1]
    assert all(f"/{newer.pk}/" in hit for hit in first[2:14])
    assert all(f"/{older.pk}/" in hit for hit in first[14:] + second)


@pytest.mark.django_db
def test_the_count_stops_at_a_hundred(client, english):
    period = make_period(promises=1, activities=0, indicators=0)
    Priority.objects.bulk_create(
        Priority(period=period, order=n % 50, text=f"Ordningsvakter {n}") for n in range(100)
    )
    html = search(client, "ordningsvakter")
    assert "100 hits for “ordningsvakter”." in html and "More than" not in html
    Priority.objects.create(period=period, text="Ordningsvakter 100")
    cache.clear()  # bulk writes retire no cached page
    html = search(client, "ordningsvakter")
    assert "More than 100 hits for “ordningsvakter”." in html
    assert "The first 100 are shown." in html
    assert "Page 1 of 5" in html
    assert len(hits_of(search(client, "ordningsvakter", page="5"))) == 20
    # Past the pages offered: the last of them.
    assert len(hits_of(search(client, "ordningsvakter", page="6"))) == 20


# Each way of narrowing the hits: none, a later page, a place and year, a party, a status
# and county.
FILTERS = [{}, {"page": "2"}, {"municipality": "uppvidinge", "year": "2011"},
           {"party": "joint"}, {"status": "ongoing", "county": "07"}]


@pytest.mark.django_db
def test_a_page_of_hits_costs_the_same_with_ten_times_the_rows(
    client, django_capture_on_commit_callbacks
):
    place = Municipality.objects.get(slug="uppvidinge")

    def queries():
        """{filters: queries of that search}, each with hits."""
        counts = {}
        for filters in FILTERS:
            with CaptureQueriesContext(connection) as captured:
                html = search(client, "trygghet", **filters)
            assert hits_of(html), filters
            counts[str(filters)] = len(captured)
        return counts

    # Committed, as a publisher's changes are before anyone searches for them.
    with django_capture_on_commit_callbacks(execute=True):
        # Seven periods: more than a page of hits, so that page 2 is there to be read.
        for year in range(2010, 2017):
            make_period(place, year=year, promises=3, activities=2, indicators=1)
    small = queries()
    with django_capture_on_commit_callbacks(execute=True):
        for year in range(2017, 2047):
            make_period(place, year=year, promises=3, activities=2, indicators=1)
    assert queries() == small
    # The stored filter lists looked for (1) and, none being stored here, the municipalities
    # and counties (2); the count with the page asked for (1); the place's periods and
    # agreements (1) when filtered by place, which shows the lists built (2).
    assert max(small.values()) <= 4, small


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
    assert message in search(client, query, expect=status)


@pytest.mark.django_db
def test_a_nul_byte_is_refused_before_any_search(client):
    # Refused site-wide (config/middleware.py), before a database sees it.
    assert client.get(reverse("public:search"), {"q": "trygg\x00het"}).status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ['"', "'", "&|!", "trygg & | ! (", "-", "a:*", "%", "_", "\\", "<script>",
              "trygg:* | !x", "och", "a b c d e f g h i j k"]
)
def test_search_syntax_characters_never_cause_an_error(client, query):
    make_period()
    html = search(client, query)
    assert "<script>" not in html.split("<main", 1)[1]


def test_search_page_without_a_query_shows_the_form(client, db):
    html = client.get(reverse("public:search")).content.decode()
    assert 'name="q"' in html and "träff" not in html
    for name in ("municipality", "county", "year", "party", "status"):
        assert f'name="{name}"' in html
        assert re.search(rf'<label for="id_{name}">', html), name


def test_word_roots_keep_enough_of_the_word():
    assert Terms.of("Nattvandringar trygghet bil").roots == ("nattvandr", "trygg", "bil")
    assert Terms.of("nattvandrare nattvandrande").roots == ("nattvandr", "nattvandr")


@on_postgresql
@pytest.mark.django_db
def test_swedish_stemming_finds_the_singular_from_the_plural(client):
    period = make_period()
    Activity.objects.filter(promise__period=period).update(text="En trygghetsvandring i Åby")
    html = text_of(search(client, "trygghetsvandringar"))
    assert "En trygghetsvandring i Åby" in html


@on_postgresql
@pytest.mark.django_db
def test_a_search_reads_the_full_text_index_of_the_search_table():
    make_period()
    hits = Hits(Terms.of("nattvandring"), Filters())
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = hits.statement(COUNT, limit=20)
        cursor.execute(f"EXPLAIN {sql}", params)
        assert "search_entry_vector_idx" in "\n".join(line for line, in cursor.fetchall())
        # The page reads the periods by their own index (the other kinds by the ranking
        # index or the full-text one, as the planner finds cheaper for the data).
        sql, params = hits.statement(COUNT_AND_PAGE, limit=20)
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(line for line, in cursor.fetchall())
    assert "search_entry_named_vector_idx" in plan


def test_the_periods_rank_is_the_one_the_indexes_are_partial_at():
    """The page reads rank NAMED apart and every lower rank in the ranking index: a kind
    ranked above the periods would be counted and never shown."""
    assert NAMED == max(search_index.RANKS.values()) == search_index.RANKS["period"]
    ranking = next(index for index in SearchEntry._meta.indexes
                   if index.name == "search_entry_rank_idx")
    assert ranking.condition == Q(rank__lt=NAMED)
    assert "count(*)" in COUNT_AND_PAGE and COUNT_AND_PAGE.count("{where}") == 3


@pytest.mark.django_db
def test_a_search_without_hits_costs_one_query_to_the_index(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the index written at commit
        make_period()
    with CaptureQueriesContext(connection) as captured:
        html = search(client, "xyzzyqwv")
    assert "0 träffar" in html
    assert len([q for q in captured if "public_searchentry" in q["sql"]]) == 1
