"""The roll-up behind the home page, the municipality pages and the national overview
(public/rollup.py): it follows publication, withdrawal and corrections, never holds a draft,
and is what a full rebuild makes of the same data."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from followup.models import FollowUp, TertialReport
from followup.services import FollowUpInput, save_tertial_followups
from followup.tertials import Tertial
from municipalities.models import Municipality
from promises.models import Promise, PromisePeriod
from promises.publishing import publish, unpublish
from public import overview
from public.models import PeriodRollup
from public.rollup import catch_up
from tests.factories import make_member, make_period, police_area_for

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
THIS_YEAR = TODAY.year


def place(slug):
    return Municipality.objects.get(slug=slug)


def rows_of(period):
    return list(PeriodRollup.objects.filter(period=period).order_by("municipality_name"))


def snapshot():
    """Every roll-up row as plain values, without its own id."""
    return sorted(
        tuple(sorted((key, str(value)) for key, value in row.items() if key != "id"))
        for row in PeriodRollup.objects.values()
    )


def committed(django_capture_on_commit_callbacks, write):
    """Run `write` and what its commit would run (the test's transaction never commits)."""
    with django_capture_on_commit_callbacks(execute=True):
        return write()


def test_publishing_a_period_rolls_it_up_in_the_same_transaction():
    period = make_period(place("flen"), year=THIS_YEAR, published=False, promises=3)
    catch_up()
    assert rows_of(period) == []
    publish(period, by=None)
    # No page read, no commit: publishing itself wrote the row.
    (row,) = rows_of(period)
    assert (row.title, row.promise_count, row.municipality_slug) == (period.title, 3, "flen")
    assert (row.latest_year, row.latest_tertial) == (THIS_YEAR, 2)
    assert row.status_counts == {"ongoing": 3}
    unpublish(period, by=None, reason="Fel dokument")
    assert rows_of(period) == []


def test_a_draft_is_never_rolled_up_nor_shown(client):
    draft = make_period(place("flen"), year=THIS_YEAR, published=False)
    catch_up()
    assert not PeriodRollup.objects.exists()
    for url in [reverse("public:home"), reverse("public:overview"),
                reverse("public:municipality", args=["flen"])]:
        assert draft.title not in client.get(url).content.decode(), url


def test_publishing_and_withdrawing_a_tertial_report_moves_the_latest_tertial(client):
    period = make_period(place("flen"), year=THIS_YEAR, reports=(1,), promises=2)
    catch_up()
    assert (rows_of(period)[0].latest_tertial, rows_of(period)[0].reported_on) == (
        1, timezone.localdate(TertialReport.objects.get(period=period, tertial=1).published_at)
    )
    second = TertialReport.objects.get(period=period, tertial=2)
    publish(second, by=None)
    (row,) = rows_of(period)
    assert (row.latest_year, row.latest_tertial) == (THIS_YEAR, 2)
    second.refresh_from_db()
    assert row.reported_on == timezone.localdate(second.published_at)
    unpublish(second, by=None, reason="Fel siffror")
    assert rows_of(period)[0].latest_tertial == 1
    unpublish(TertialReport.objects.get(period=period, tertial=1), by=None, reason="Fel")
    (row,) = rows_of(period)
    assert (row.latest_year, row.latest_tertial, row.status_counts, row.followed_up) == (
        None, None, {}, None
    )
    assert row.promise_count == 2
    flen = next(r for r in overview.overview_rows(TODAY) if r.municipality.slug == "flen")
    assert (flen.tertial, flen.followed_up_share) == (None, None)


def test_a_correction_after_publication_is_rolled_up_after_its_commit(
    django_capture_on_commit_callbacks,
):
    period = make_period(place("flen"), year=THIS_YEAR, reports=(1,), promises=2,
                         activities=0, indicators=0)
    catch_up()
    assert rows_of(period)[0].status_counts == {"ongoing": 2}
    coordinator = make_member("coordinator", municipality=place("flen"))
    promise = period.promises.order_by("order").first()
    followup = FollowUp.objects.get(promise=promise, activity=None, indicator=None, tertial=1)
    row = FollowUpInput(
        kind="promise", subject_id=promise.pk, status="completed", account="Klart.",
        value=None, internal_note="", loaded_version=followup.version,
    )
    committed(django_capture_on_commit_callbacks, lambda: save_tertial_followups(
        period=period, tertial=Tertial(THIS_YEAR, 1), rows=[row],
        subjects={row.key: promise}, by=coordinator,
    ))
    (rolled_up,) = rows_of(period)
    assert rolled_up.status_counts == {"completed": 1, "ongoing": 1}
    assert (rolled_up.followed_up, rolled_up.on_track) == (2, 2)


def test_what_is_not_yet_public_does_not_change_the_figures(
    django_capture_on_commit_callbacks,
):
    period = make_period(place("flen"), year=THIS_YEAR, reports=(1,), promises=1,
                         activities=0, indicators=0)
    catch_up()
    promise = period.promises.get()
    # Tertial 2's report is not published: what is entered for it stays out.
    followup = FollowUp.objects.get(promise=promise, activity=None, indicator=None, tertial=2)
    followup.status = "postponed"
    committed(django_capture_on_commit_callbacks, followup.save)
    (row,) = rows_of(period)
    assert (row.latest_tertial, row.status_counts) == (1, {"ongoing": 1})


def test_content_changes_of_a_published_period_follow(django_capture_on_commit_callbacks):
    period = make_period(place("flen"), year=THIS_YEAR, promises=2)
    catch_up()

    def edit():
        Promise.objects.create(period=period, order=9, party="police", text="Ett löfte till")
        period.title = "Medborgarlöfte för Flen"
        period.save()
        area = period.police_area
        area.name = "Lokalpolisområde Flen och Katrineholm"
        area.save()

    committed(django_capture_on_commit_callbacks, edit)
    (row,) = rows_of(period)
    assert (row.title, row.promise_count, row.police_area_name) == (
        "Medborgarlöfte för Flen", 3, "Lokalpolisområde Flen och Katrineholm"
    )


def test_a_period_of_several_municipalities_has_a_row_for_each_and_counts_once():
    places = [place("flen"), place("katrineholm")]
    area = police_area_for(places[0])
    area.municipalities.add(places[1])
    period = PromisePeriod.objects.create(
        police_area=area, title="Gemensamt", valid_from=datetime.date(THIS_YEAR, 1, 1),
        valid_to=datetime.date(THIS_YEAR, 12, 31),
    )
    period.municipalities.add(*places)
    for order in range(4):
        Promise.objects.create(period=period, order=order, party="joint", text=f"Löfte {order}")
    publish(period, by=None)
    rows = rows_of(period)
    assert [(r.municipality_slug, r.first_of_period) for r in rows] == [
        ("flen", True), ("katrineholm", False)
    ]
    assert {r.municipality_names for r in rows} == {"Flen, Katrineholm"}
    figures = overview.national_figures(TODAY)
    assert (figures.totals.with_current, figures.totals.promises, figures.period_count) == (
        2, 4, 1
    )
    # Taken out of one municipality: its row goes.
    period.municipalities.remove(places[1])
    catch_up()
    assert [r.municipality_slug for r in rows_of(period)] == ["flen"]


def test_which_period_is_current_follows_the_date_not_the_rollup():
    earlier = make_period(place("flen"), year=THIS_YEAR - 1, reports=(1,))
    later = make_period(place("flen"), year=THIS_YEAR + 1, reports=())
    catch_up()

    def current_title(day):
        row = next(r for r in overview.overview_rows(day) if r.municipality.slug == "flen")
        return row.period.title if row.period else None

    assert current_title(datetime.date(THIS_YEAR - 1, 6, 1)) == earlier.title
    assert current_title(datetime.date(THIS_YEAR, 6, 1)) is None
    assert current_title(datetime.date(THIS_YEAR + 1, 1, 1)) == later.title
    assert overview.national_figures(datetime.date(THIS_YEAR, 6, 1)).totals.with_current == 0
    assert overview.national_figures(datetime.date(THIS_YEAR + 1, 6, 1)).totals.with_current == 1


def test_the_rebuild_makes_what_was_kept_up_to_date(django_capture_on_commit_callbacks):
    committed(django_capture_on_commit_callbacks, lambda: [
        make_period(place("flen"), year=THIS_YEAR, reports=(1,)),
        make_period(place("flen"), year=THIS_YEAR - 2, reports=(1, 2, 3)),
        make_period(place("kiruna"), year=THIS_YEAR, published=False),
        make_period(place("ale"), year=THIS_YEAR, reports=()),
    ])
    kept = snapshot()
    assert len(kept) == 3
    PeriodRollup.objects.all().delete()
    output = io.StringIO()
    call_command("rebuild_rollup", stdout=output)
    assert output.getvalue() == "Rolled up 3 published periods.\n"
    assert snapshot() == kept


def test_bulk_writes_are_rolled_up_after_their_commit(django_capture_on_commit_callbacks):
    from followup.dataset import generate_dataset

    committed(django_capture_on_commit_callbacks,
              lambda: generate_dataset(municipalities=2, years=2, seed=1))
    published = set(PromisePeriod.objects.published().values_list("pk", flat=True))
    assert published
    assert set(PeriodRollup.objects.values_list("period_id", flat=True)) == published


def test_pages_read_the_rollup(client):
    period = make_period(place("flen"), year=THIS_YEAR, promises=3, reports=(1,))
    home = client.get(reverse("public:home")).content.decode()
    assert reverse("public:municipality", args=["flen"]) in home
    assert period.title in home  # recently published
    municipality = client.get(reverse("public:municipality", args=["flen"]))
    (shown, summary), = municipality.context["current_summaries"]
    assert (shown.pk, summary.tertial, summary.total) == (period.pk, Tertial(THIS_YEAR, 1), 3)
    assert f"T1 {THIS_YEAR}:" in municipality.content.decode()
