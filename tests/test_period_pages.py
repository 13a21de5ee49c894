"""Period pages rendered ahead of citizens (public/period_pages.py): what a visitor is given
from the stored page is exactly what the page would show, and a stored page that may be
out of date (a committed change, a withdrawal, a date passed, another release) is never
given."""

import datetime

import pytest
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation

from promises.models import PromisePeriod
from promises.publishing import publish, unpublish
from public import period_pages
from public.models import PeriodPage
from tests.factories import make_member, make_period


def address(period):
    # Asked for in Swedish: a request under /en/ leaves English active in this thread.
    with translation.override("sv"):
        return period.get_absolute_url()


def addresses(period):
    return [address(period), "/en" + address(period)]


def render_all():
    period_pages.add_missing()
    return period_pages.render()


def test_a_stored_page_is_byte_for_byte_the_page_and_costs_one_query(visit, katrineholm):
    published = list(PromisePeriod.objects.published())
    assert published
    live = {url: visit(url) for period in published for url in addresses(period)}
    assert render_all() == 2 * len(published)
    for url, (html, queries) in live.items():
        stored_html, stored_queries = visit(url)
        assert stored_html == html, url
        assert stored_queries == 1 < queries, url


def test_a_committed_change_is_not_shown_from_the_stored_page_until_rendered_again(
    visit, katrineholm, django_capture_on_commit_callbacks
):
    period = katrineholm[2022]
    render_all()
    promise = period.promises.first()
    with django_capture_on_commit_callbacks(execute=True):
        promise.text = "Polisen och kommunen rättar löftets text."
        promise.save()
    html, queries = visit(address(period))
    assert "Polisen och kommunen rättar löftets text." in html and queries > 1
    assert render_all() == 2  # that period's two pages, no other
    stored_html, queries = visit(address(period))
    assert stored_html == html and queries == 1


def test_a_rolled_back_change_leaves_the_stored_page_shown(
    visit, katrineholm, django_capture_on_commit_callbacks
):
    period = katrineholm[2022]
    render_all()
    promise = period.promises.first()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            promise.text = "Aldrig sparad."
            promise.save()
            raise RuntimeError("rolled back")
    assert visit(address(period))[1] == 1


def test_a_withdrawn_period_is_never_shown_from_its_stored_page(
    client, katrineholm, django_capture_on_commit_callbacks
):
    period = katrineholm[2022]
    render_all()
    with django_capture_on_commit_callbacks(execute=True):
        unpublish(period, by=None, reason="Fel version publicerades.")
    cache.clear()
    assert client.get(address(period)).status_code == 404
    render_all()
    assert not PeriodPage.objects.filter(period=period).exists()


def test_a_newly_published_period_gets_its_pages(visit, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        period = make_period(promises=3, activities=2, indicators=1, published=False)
        publish(period, by=None)
    assert PeriodPage.objects.filter(period=period).count() == 2
    assert period_pages.render() == 2
    assert visit(address(period))[1] == 1


@pytest.mark.parametrize("change", ["wanted", "code", "date"])
def test_a_page_that_may_be_out_of_date_is_rendered_as_asked(visit, katrineholm, change):
    period = katrineholm[2022]
    render_all()
    pages = PeriodPage.objects.filter(period=period)
    if change == "wanted":  # a change committed after the render had read the rows
        pages.update(wanted=F("wanted") + 1)
    elif change == "code":  # rendered by another release
        pages.update(code="0" * 64)
    else:  # a tertial's state changes today
        pages.update(fresh_until=timezone.localdate())
    html, queries = visit(address(period))
    assert queries > 1
    assert render_all() == 2
    assert visit(address(period)) == (html, 1)


def test_a_page_is_fresh_until_a_tertial_ends_or_its_report_is_late(settings):
    settings.REPORT_LATE_WEEKS = 8
    period = PromisePeriod(valid_from=datetime.date(2026, 1, 1),
                           valid_to=datetime.date(2026, 12, 31))
    fresh = period_pages.fresh_until
    # T3 ends 31 December: due from 1 January. T2 ended 31 August: late after 26 October.
    assert fresh(period, datetime.date(2026, 11, 30)) == datetime.date(2027, 1, 1)
    assert fresh(period, datetime.date(2026, 10, 1)) == datetime.date(2026, 10, 27)
    assert fresh(period, datetime.date(2027, 3, 1)) is None


def test_editors_get_the_page_rendered_for_them(visit, client, katrineholm):
    period = katrineholm[2022]
    render_all()
    client.force_login(make_member("coordinator", municipality=period.municipalities.get()))
    html, queries = visit(address(period))
    assert "?preview=1" in html and queries > 1


def test_a_bulk_change_naming_its_period_marks_only_that_period(
    katrineholm, django_capture_on_commit_callbacks
):
    """As the tertial screen's save sends it (followup/services.py)."""
    from promises.signals import bulk_change

    render_all()
    period = katrineholm[2022]
    with django_capture_on_commit_callbacks(execute=True):
        bulk_change.send(sender=None, periods=[period.pk])
    stale = PeriodPage.objects.exclude(built_for=F("wanted"))
    assert set(stale.values_list("period_id", flat=True)) == {period.pk}
