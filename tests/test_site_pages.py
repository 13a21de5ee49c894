"""The home page, the national overview and the municipality pages rendered ahead of citizens
(public/site_pages.py): a visitor is given exactly what the page would show, in one query,
and never a stored page that a committed change, a withdrawal, a date or another release
may have put out of date."""

import datetime

import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from municipalities.models import Municipality, PoliceArea
from promises.models import Agreement, PromisePeriod
from promises.publishing import unpublish
from public import period_pages, rollup, site_pages
from public.commit_batches import Batch
from public.models import SitePage
from tests.factories import make_agreement, make_member, make_period

HOME, OVERVIEW = "/", "/hela-landet/"


def page_of(place):
    return f"/kommun/{place.slug}/"


def render_for(*places):
    """Render the national pages and those of `places` only (the rest of the country's
    pages are dropped: a test renders what it looks at)."""
    SitePage.objects.exclude(municipality=None).exclude(municipality__in=places).delete()
    site_pages.add_missing([place.pk for place in places])
    return site_pages.render()


def stale():
    """(kind, municipality) of the pages marked out of date."""
    return set(
        SitePage.objects.exclude(built_for=F("wanted")).values_list("kind", "municipality_id")
    )


@pytest.fixture
def places(katrineholm, django_capture_on_commit_callbacks):
    """Katrineholm (three published periods) and another municipality with one."""
    home = katrineholm[2022].municipalities.get()
    other = Municipality.objects.exclude(periods__isnull=False).exclude(pk=home.pk).first()
    with django_capture_on_commit_callbacks(execute=True):
        make_period(other)
    return home, other


def bare():
    """A municipality with nothing published."""
    return Municipality.objects.exclude(periods__isnull=False).first()


def test_stored_pages_are_byte_for_byte_the_pages_and_cost_one_query(visit, places):
    nothing = bare()
    urls = [HOME, OVERVIEW, *map(page_of, places)]
    urls += ["/en" + url for url in urls]
    live = {url: visit(url) for url in [*urls, page_of(nothing)]}
    # Three national pages (the search filters too) and the two municipalities with a
    # published period: the short page of one with nothing published is built as asked.
    assert render_for(*places, nothing) == 2 * 5
    for url in urls:
        html, queries = live[url]
        stored_html, stored_queries = visit(url)
        assert stored_html == html, url
        assert stored_queries == 1 < queries, url
    assert visit(page_of(nothing)) == live[page_of(nothing)]
    assert not SitePage.objects.filter(municipality=nothing).exists()


def test_a_filtered_or_sorted_overview_is_built_as_asked(visit, places):
    render_for(*places)
    assert visit(OVERVIEW)[1] == 1
    county = places[0].county.code
    for query in (f"?lan={county}", "?sortera=promises", "?sortera=municipality&ordning=fallande"):
        html, queries = visit(OVERVIEW + query)
        assert queries > 1, query
    stored_html, _queries = visit(OVERVIEW)
    filtered_html, _queries = visit(f"{OVERVIEW}?lan={county}")
    assert filtered_html != stored_html


def test_a_committed_change_marks_the_national_pages_and_its_municipality_only(
    visit, places, django_capture_on_commit_callbacks
):
    home, other = places
    render_for(home, other)
    period = PromisePeriod.objects.published().filter(municipalities=home).first()
    with django_capture_on_commit_callbacks(execute=True):
        period.title = "Medborgarlöfte med rättad rubrik"
        period.save()
    assert stale() == {("home", None), ("overview", None), ("search_filters", None),
                       ("municipality", home.pk)}
    html, queries = visit(page_of(home))
    assert "Medborgarlöfte med rättad rubrik" in html and queries > 1
    assert visit(page_of(other))[1] == 1
    assert site_pages.render() == 2 * 4
    assert visit(page_of(home)) == (html, 1)


def test_a_rolled_back_change_marks_nothing(places, django_capture_on_commit_callbacks):
    render_for(*places)
    period = PromisePeriod.objects.published().filter(municipalities=places[0]).first()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            period.title = "Aldrig sparad."
            period.save()
            raise RuntimeError("rolled back")
    assert stale() == set()


def test_a_withdrawn_period_leaves_the_pages_in_its_own_transaction(
    visit, places, django_capture_on_commit_callbacks
):
    home, _other = places
    render_for(*places)
    period = PromisePeriod.objects.published().filter(municipalities=home).first()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        unpublish(period, by=None, reason="Fel version publicerades.")
        # Before the commit: no stored page that lists it may be given.
        assert ("municipality", home.pk) in stale() and ("home", None) in stale()
    html, _queries = visit(page_of(home))
    assert period.get_absolute_url() not in html
    site_pages.render()
    assert visit(page_of(home)) == (html, 1)


def test_a_municipality_whose_last_period_is_withdrawn_loses_its_stored_page(
    visit, places, django_capture_on_commit_callbacks
):
    _home, other = places
    render_for(*places)
    period = PromisePeriod.objects.published().get(municipalities=other)
    with django_capture_on_commit_callbacks(execute=True):
        unpublish(period, by=None, reason="Fel kommun.")
    site_pages.render()
    assert not SitePage.objects.filter(municipality=other).exists()
    html, queries = visit(page_of(other))
    assert period.get_absolute_url() not in html and queries > 1


def test_a_municipality_taken_off_a_period_has_its_page_marked(
    places, django_capture_on_commit_callbacks
):
    home, other = places
    with django_capture_on_commit_callbacks(execute=True):
        period = make_period(home)
        period.municipalities.add(other)
    render_for(home, other)
    with django_capture_on_commit_callbacks(execute=True):
        period.municipalities.remove(other)
    assert ("municipality", other.pk) in stale()


def test_police_area_changes_mark_the_pages_of_the_municipalities_it_serves(
    places, django_capture_on_commit_callbacks
):
    home, other = places
    render_for(home, other)
    area = PoliceArea.objects.filter(municipalities=home).first()
    with django_capture_on_commit_callbacks(execute=True):
        area.name = area.name + " (nytt namn)"
        area.save()
    assert ("municipality", home.pk) in stale()
    assert ("municipality", other.pk) not in stale()
    SitePage.objects.update(built_for=F("wanted"))
    with django_capture_on_commit_callbacks(execute=True):
        area.municipalities.add(other)
    assert ("municipality", other.pk) in stale()
    SitePage.objects.update(built_for=F("wanted"))
    with django_capture_on_commit_callbacks(execute=True):
        area.municipalities.clear()
    assert {("municipality", home.pk), ("municipality", other.pk)} <= stale()


def test_an_agreement_marks_every_municipality_page(places, django_capture_on_commit_callbacks):
    home, other = places
    period = PromisePeriod.objects.published().filter(municipalities=home).first()
    render_for(home, other)
    with django_capture_on_commit_callbacks(execute=True):
        make_agreement(period, linked=False)
    assert {("municipality", home.pk), ("municipality", other.pk)} <= stale()
    assert Agreement.objects.filter(municipalities=home).exists()


@pytest.mark.parametrize("change", ["wanted", "code", "date"])
def test_a_page_that_may_be_out_of_date_is_rendered_as_asked(visit, places, change):
    render_for(*places)
    pages = SitePage.objects.filter(kind="home")
    if change == "wanted":  # a change committed after the render had read the rows
        pages.update(wanted=F("wanted") + 1)
    elif change == "code":  # rendered by another release
        pages.update(code="0" * 64)
    else:  # a period comes into force today
        pages.update(fresh_until=timezone.localdate())
    html, queries = visit(HOME)
    assert queries > 1
    assert site_pages.render() == 2
    assert visit(HOME) == (html, 1)


def test_a_page_is_fresh_until_a_period_it_lists_starts_or_ends(places):
    home, other = places
    period = make_period(home, year=2031, years=2)
    rollup.flush()
    fresh = site_pages.fresh_until
    assert fresh("municipality", home.pk, datetime.date(2030, 6, 1)) == period.valid_from
    day_after = period.valid_to + datetime.timedelta(days=1)
    assert fresh("municipality", home.pk, datetime.date(2031, 6, 1)) == day_after
    # No other period of the database starts or ends after 1 June 2031.
    assert fresh("home", None, datetime.date(2031, 6, 1)) == day_after
    assert fresh("municipality", home.pk, datetime.date(2040, 1, 1)) is None
    assert fresh("municipality", other.pk, datetime.date(2030, 6, 1)) is None


def test_editors_get_the_pages_rendered_for_them(visit, client, places, english):
    """An editor's municipality page lists the drafts they may preview, which the stored
    page (a citizen's) never does."""
    home, _other = places
    make_period(home, year=2027, published=False)
    render_for(*places)
    assert "Drafts you may preview" not in visit("/en" + page_of(home))[0]
    client.force_login(make_member("coordinator", municipality=home))
    assert "Drafts you may preview" in visit("/en" + page_of(home))[0]


def test_a_deleted_police_area_marks_the_pages_of_the_municipalities_it_served(
    places, django_capture_on_commit_callbacks
):
    home, other = places
    with django_capture_on_commit_callbacks(execute=True):
        area = PoliceArea.objects.create(
            name="Lokalpolisområde som läggs ned", police_region=other.county.police_region,
        )
        area.municipalities.add(other)
    render_for(home, other)
    with django_capture_on_commit_callbacks(execute=True):
        area.delete()
    assert ("municipality", other.pk) in stale()
    assert ("municipality", home.pk) not in stale()


def test_a_page_marked_after_it_was_cached_is_not_served_from_the_cache(
    client, places, django_capture_on_commit_callbacks, settings
):
    """A visitor who came between a commit and the mark cached the stored page that was
    still current then: the mark retires the page cache again."""
    from django.core.cache import cache

    home, _other = places
    render_for(*places)
    period = PromisePeriod.objects.published().filter(municipalities=home).first()
    with django_capture_on_commit_callbacks() as callbacks:
        period.title = "Medborgarlöfte med ny rubrik"
        period.save()
    cache.clear()
    # Every callback of the commit but the mark, then a visit, then the mark.
    marks = [callback for callback in callbacks if isinstance(callback, Batch)
             and callback.handle is period_pages.mark_scope]
    for callback in callbacks:
        if callback not in marks:
            callback()
    assert "Medborgarlöfte med ny rubrik" not in client.get(page_of(home)).content.decode()
    for callback in marks:
        callback()
    assert "Medborgarlöfte med ny rubrik" in client.get(page_of(home)).content.decode()


def test_the_search_filters_are_stored_as_the_form_writes_them(visit, places):
    """A search without filters reads the lists of municipalities and counties as stored;
    a filtered search writes them with its choices."""
    urls = ["/sok/?q=trygghet", "/en/sok/?q=polis&municipality=&county=&year="]
    live = {url: visit(url) for url in urls}
    render_for(*places)
    for url, (html, queries) in live.items():
        # The stored lists in one query of their own instead of the municipalities' and
        # the counties' (the stored lists' own query was made, and missed, before too).
        assert visit(url) == (html, queries - 2), url
    county = places[0].county.code
    html, _queries = visit(f"/sok/?q=trygghet&county={county}")
    assert f'<option value="{county}" selected>' in html
