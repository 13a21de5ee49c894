"""The search index (public/search_index.py) follows what is published: publishing and
withdrawing write it in the same transaction, corrections when they are committed; it
never holds a draft, and writing it all again gives the same rows."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from followup.models import FollowUp, TertialReport
from municipalities.models import Municipality
from promises.models import Activity, Priority, Promise, PromisePeriod
from promises.publishing import publish, unpublish
from public.models import SearchEntry
from public.search import Filters, Hits, Terms
from tests.factories import make_period

pytestmark = pytest.mark.django_db


def rows(**lookup):
    return set(SearchEntry.objects.filter(**lookup).values_list("kind", "object_id"))


def everything():
    """Every row as it stands, without its database key."""
    return sorted(
        tuple(row.values()) for row in SearchEntry.objects.values(
            *[field.name for field in SearchEntry._meta.fields if field.name != "id"]
        )
    )


def found(client, query):
    """The search page's text, without the marks of the words found."""
    html = client.get(reverse("public:search"), {"q": query}).content.decode()
    return html.replace("<mark>", "").replace("</mark>", "")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what the transaction leaves for its commit, as a real commit does."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_a_published_period_is_in_the_index_with_everything_public_in_it(committed):
    with committed():
        period = make_period(reports=(1,))
    promises = set(Promise.objects.filter(period=period).values_list("pk", flat=True))
    assert {pk for kind, pk in rows(period_id=period.pk, kind="promise")} == promises
    assert rows(kind="period", object_id=period.pk)
    public = FollowUp.objects.filter(promise__period=period, tertial=1)
    assert {pk for kind, pk in rows(period_id=period.pk, kind="followup")} == set(
        public.values_list("pk", flat=True)
    )
    assert public.count() < FollowUp.objects.filter(promise__period=period).count()


def test_drafts_never_enter_the_index(committed):
    with committed():
        draft = make_period(published=False)
        for activity in Activity.objects.filter(promise__period=draft):
            activity.text = "Ändrad i utkastet"
            activity.save()
        report = TertialReport.objects.filter(period=draft).first()
        report.summary = "Ändrad"
        report.save()
    assert not rows(period_id=draft.pk)


def test_publishing_and_withdrawing_write_the_index_in_the_same_transaction(client):
    period = make_period(published=False, reports=())
    with transaction.atomic():
        publish(period, by=None)
        # Before the commit: a withdrawal and its removal from the index are one.
        assert rows(kind="period", object_id=period.pk)
    assert "Löfte 0 om trygghet i Åby" in found(client, "trygghet")
    with transaction.atomic():
        unpublish(PromisePeriod.objects.get(pk=period.pk), by=None, reason="Fel version")
        assert not rows(period_id=period.pk)
    assert "Löfte 0 om trygghet i Åby" not in found(client, "trygghet")


def test_a_published_report_brings_its_accounts_and_statuses(committed):
    with committed():
        period = make_period(reports=(1,))
    promise = Promise.objects.filter(period=period).order_by("order").first()
    FollowUp.objects.filter(promise=promise, activity=None, indicator=None, tertial=2).update(
        status="completed", account="Klart med grannsamverkan",
    )
    assert not rows(kind="followup", period_id=period.pk, text__contains="grannsamverkan")
    report = TertialReport.objects.get(period=period, tertial=2)
    publish(report, by=None)
    assert rows(kind="followup", text="Klart med grannsamverkan")
    entry = SearchEntry.objects.get(kind="promise", object_id=promise.pk)
    assert (entry.status, entry.tertial) == ("completed", 2)
    unpublish(TertialReport.objects.get(pk=report.pk), by=None, reason="Fel siffror")
    assert not rows(kind="followup", text="Klart med grannsamverkan")
    entry = SearchEntry.objects.get(kind="promise", object_id=promise.pk)
    assert (entry.status, entry.tertial) == ("ongoing", 1)


def test_a_correction_after_publication_is_written_when_it_is_committed(client, committed):
    with committed():
        period = make_period()
    activity = Activity.objects.filter(promise__period=period).first()
    with committed():
        activity.text = "Nattvandringar varje fredag"
        activity.save()
    entry = SearchEntry.objects.get(kind="activity", object_id=activity.pk)
    assert entry.text == "Nattvandringar varje fredag"
    # The follow-ups of the activity show its text as what they are of.
    assert set(SearchEntry.objects.filter(
        kind="followup", object_id__in=FollowUp.objects.filter(activity=activity).values("pk"),
    ).values_list("more", flat=True)) == {"Nattvandringar varje fredag"}
    assert "Nattvandringar varje fredag" in found(client, "nattvandring")


def test_a_search_finds_what_its_own_transaction_changed():
    """A command or a test reads its own changes before they are committed."""
    period = make_period()
    priority = Priority.objects.create(period=period, text="Färre inbrott i villaområden")
    entry = SearchEntry.objects.filter(kind="priority", object_id=priority.pk)
    assert not entry.exists()  # written at the commit, or before a search:
    assert Hits(Terms.of("villaområden"), Filters()).count() == 1
    assert entry.exists()


def test_a_renamed_municipality_is_renamed_in_its_hits(committed):
    place = Municipality.objects.get(code="0483")
    with committed():
        period = make_period(place)
        place.name = "Katrineholm-Vingåker"
        place.save()
    assert SearchEntry.objects.get(kind="period", object_id=period.pk).municipalities == \
        "Katrineholm-Vingåker"


def test_the_rebuild_command_writes_what_the_index_already_holds(committed):
    with committed():
        first = make_period(reports=(1,))
        make_period(reports=(1, 2))
        make_period(published=False)
        activity = Activity.objects.filter(promise__period=first).first()
        activity.text = "Rättad efter publiceringen"
        activity.save()
    kept = everything()
    assert kept
    SearchEntry.objects.all().delete()
    call_command("rebuild_search_index", stdout=io.StringIO())
    assert everything() == kept
