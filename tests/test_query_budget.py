"""Every public page costs a fixed number of queries (at most 12: one per kind of thing a
period holds), the same with ten times the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

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
        "period_xlsx": reverse("public:period_xlsx", kwargs={"pk": pk}),
    }


@pytest.mark.django_db
def test_period_pages_cost_the_same_with_ten_times_the_content(client):
    small = make_period(promises=2, activities=1, indicators=1, years=1)
    # Ten times the promises, three times the activities and indicators each, two years:
    # thirty times the rows.
    large = make_period(promises=20, activities=3, indicators=3, years=2)
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
def test_site_wide_pages_cost_the_same_with_ten_times_the_periods(
    client, django_capture_on_commit_callbacks
):
    place = Municipality.objects.get(slug="uppvidinge")
    urls = [reverse(name, kwargs=kwargs) for name, kwargs in SITE_WIDE]
    urls.append(reverse("public:search") + "?q=trygghet")
    urls.append(reverse("public:search") + "?q=Uppvidinge")
    # Committed, as a coordinator's saves are: the roll-up the home page, the municipality
    # pages and the overview read, and the search index, are brought up to date after the
    # commit, not by the page.
    with django_capture_on_commit_callbacks(execute=True):
        many_periods(2, place)
    small = {url: queries_for(client, url) for url in urls}
    with django_capture_on_commit_callbacks(execute=True):
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
    urls = [reverse("public:national_json"), reverse("public:national_csv"),
            reverse("public:national_xlsx")]
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


# The tertial screen ---------------------------------------------------------------------

def generated_periods():
    """Periods from the dataset generator (three municipalities, four years), largest
    first by promises, activities and indicators."""
    from django.db.models import Count

    from followup.dataset import generate_dataset
    from promises.models import PromisePeriod

    generate_dataset(municipalities=3, years=4, seed=1)
    return list(
        PromisePeriod.objects.annotate(
            lines=Count("promises", distinct=True) + Count("promises__activities", distinct=True)
            + Count("promises__indicators", distinct=True)
        ).order_by("-lines", "pk")
    )


def screen_queries(client, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url) if data is None else client.post(url, data)
    assert response.status_code in {200, 302}, url
    return len(captured)


@pytest.mark.django_db
def test_the_tertial_screen_of_the_largest_generated_period_opens_in_ten_queries(client):
    """Ten in all, with what every admin page costs the same user (the session, the user,
    the memberships), whatever the period holds: the smallest generated period costs the
    same. Both parties approve reports here (the setting's default), the costliest case."""
    from django.test import override_settings

    from followup.models import TertialReport
    from tests.factories import make_member

    periods = generated_periods()
    largest, smallest = periods[0], periods[-1]
    assert largest.lines > 2 * smallest.lines
    user = make_member("coordinator", municipality=largest.municipalities.get())
    for membership_place in {smallest.municipalities.get()} - {largest.municipalities.get()}:
        make_member("coordinator", municipality=membership_place, username=user.username)
    client.force_login(user)
    assert screen_queries(client, reverse("admin:password_change_done")) == 3
    counts = []
    with override_settings(PORTAL_DUAL_APPROVAL=True):
        for period in (smallest, largest):
            reports = period.tertial_reports.order_by("year", "tertial")
            # A published report, and one awaiting both parties' approval.
            published, awaiting = reports.first(), reports.last()
            TertialReport.objects.filter(pk=awaiting.pk).update(status="draft",
                                                                published_at=None)
            for tertial in (published, awaiting):
                url = reverse("admin:followup_tertial",
                              args=[period.pk, tertial.year, tertial.tertial])
                client.get(url)
                counts.append(screen_queries(client, url))
    assert len(set(counts[0::2])) == len(set(counts[1::2])) == 1, counts
    assert max(counts) <= 10, counts


@pytest.mark.django_db
def test_overview_costs_the_same_with_many_current_periods(
    client, django_capture_on_commit_callbacks
):
    """Every municipality's current period, its promises and latest report: the same
    queries for one current period as for fifteen, in fifteen municipalities."""
    urls = [
        reverse("public:overview"),
        reverse("public:overview") + "?lan=04&sortera=tertial&ordning=fallande",
        reverse("public:overview_csv"), reverse("public:overview_xlsx"),
    ]
    year = timezone.localdate().year
    places = list(Municipality.objects.order_by("code")[:16])
    with django_capture_on_commit_callbacks(execute=True):
        make_period(places[0], year=year, promises=2)
        make_period(places[0], year=year - 3, promises=2)
    small = {url: queries_for(client, url) for url in urls}
    with django_capture_on_commit_callbacks(execute=True):
        for place in places[1:]:
            make_period(place, year=year, promises=3, activities=2, indicators=1)
            make_period(place, year=year - 3, promises=2)
    for url in urls:
        assert queries_for(client, url) == small[url] <= BUDGET, url
