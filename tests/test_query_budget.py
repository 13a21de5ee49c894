"""Every public page costs a fixed number of queries (at most 12: one per kind of thing a
period holds), the same with ten times the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from municipalities.models import Municipality
from tests.factories import make_period

BUDGET = 12


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
    assert response.status_code == 200, url
    return len(captured)


def period_urls(period):
    pk = period.pk
    return {
        "period": reverse("public:period", kwargs={"pk": pk}),
        "tertial_report": reverse(
            "public:tertial_report", kwargs={"pk": pk, "year": 2024, "tertial": 2}
        ),
        "period_json": reverse("public:period_json", kwargs={"pk": pk}),
        "period_csv": reverse("public:period_csv", kwargs={"pk": pk}),
    }


@pytest.mark.django_db
def test_period_pages_cost_the_same_with_ten_times_the_content(client):
    small = make_period(promises=2, activities=1, indicators=1, years=1)
    large = make_period(promises=20, activities=10, indicators=10, years=2)
    for name, url in period_urls(small).items():
        small_count = queries_for(client, url)
        large_count = queries_for(client, period_urls(large)[name])
        assert small_count == large_count, name
        assert small_count <= BUDGET, name


def many_periods(count, municipality, *, first_year=2000):
    return [
        make_period(municipality, year=first_year + i, promises=2, activities=2, indicators=1)
        for i in range(count)
    ]


SITE_WIDE = [
    ("public:home", {}),
    ("public:search", {}),
    ("public:accessibility", {}),
    ("public:national_feed", {}),
    ("public:municipality", {"slug": "uppvidinge"}),
    ("public:municipality_feed", {"slug": "uppvidinge"}),
    ("sitemap", {}),
    ("robots_txt", {}),
]


@pytest.mark.django_db
def test_site_wide_pages_cost_the_same_with_ten_times_the_periods(client):
    place = Municipality.objects.get(slug="uppvidinge")
    urls = [reverse(name, kwargs=kwargs) for name, kwargs in SITE_WIDE]
    urls.append(reverse("public:search") + "?q=trygghet")
    urls.append(reverse("public:search") + "?q=Uppvidinge")
    many_periods(2, place)
    small = {url: queries_for(client, url) for url in urls}
    many_periods(18, place, first_year=2010)
    for url in urls:
        large = queries_for(client, url)
        assert large == small[url], url
        assert large <= BUDGET, url


@pytest.mark.django_db
def test_period_page_stays_within_budget(client, django_assert_max_num_queries):
    period = make_period(promises=12, activities=5, indicators=3, years=2)
    with django_assert_max_num_queries(BUDGET):
        response = client.get(period.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.django_db
def test_national_exports_cost_a_fixed_number_of_queries_per_chunk(client):
    """The national files stream period by period; each chunk of up to CHUNK_SIZE periods
    costs the period query plus one per prefetched relation, whatever the periods hold."""
    place = Municipality.objects.get(slug="uppvidinge")
    urls = [reverse("public:national_json"), reverse("public:national_csv")]
    many_periods(2, place)
    small = {url: queries_for(client, url) for url in urls}
    many_periods(18, place, first_year=2010)
    for url in urls:
        assert queries_for(client, url) == small[url] <= BUDGET + 1, url


@pytest.mark.django_db
def test_a_page_of_one_tertial_reads_its_follow_ups_and_earlier_values_only():
    """The period page shows the latest tertial: it loads that tertial's follow-ups and,
    of the earlier ones, only those with a value (what a result adds up), not every
    tertial's accounts."""
    from followup.models import FollowUp
    from followup.progress import period_progress
    from followup.tertials import Tertial

    period = make_period(year=2024, promises=2, activities=2, indicators=1, reports=(1, 2, 3))
    FollowUp.objects.filter(promise__period=period, indicator__isnull=True).update(value=None)
    shown = Tertial(2024, 2)
    loaded = {
        (line.kind, tertial)
        for item in period_progress(period, public=True, shown=shown)
        for line in item.lines for tertial in line.followups
    }
    assert {tertial for _, tertial in loaded} == {Tertial(2024, 1), shown}
    assert {kind for kind, tertial in loaded if tertial != shown} == {"indicator"}
    assert {kind for kind, tertial in loaded if tertial == shown} == {
        "promise", "activity", "indicator"}
