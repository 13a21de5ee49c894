"""The national dataset generator: deterministic, plausible, and within the rules."""

import datetime
import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from followup.dataset import generate_dataset
from followup.models import FollowUp, TertialReport
from followup.tertials import Tertial, tertials_between
from public.cache import public_generation
from promises.models import Activity, Promise, PromisePeriod

TODAY = datetime.date(2026, 11, 23)


def snapshot():
    """Everything generated that a reader sees, in a stable order, without database ids."""
    periods = list(
        PromisePeriod.objects.order_by("municipalities__code", "valid_from").values_list(
            "municipalities__code", "police_area__name", "title", "valid_from", "valid_to",
            "status", "published_at", "situation",
        )
    )
    activities = list(
        Activity.objects.order_by(
            "promise__period__municipalities__code", "promise__period__valid_from",
            "promise__order", "order",
        ).values_list("promise__party", "promise__text", "text", "target_value", "target_text")
    )
    followups = list(
        FollowUp.objects.order_by(
            "promise__period__municipalities__code", "promise__period__valid_from",
            "promise__order", "activity__order", "indicator__order", "year", "tertial",
        ).values_list("year", "tertial", "status", "account", "value")
    )
    return periods, activities, followups


@pytest.mark.django_db
def test_same_seed_gives_the_same_data_and_another_seed_does_not():
    generate_dataset(municipalities=3, years=2, seed=1, today=TODAY)
    first = snapshot()
    generate_dataset(municipalities=3, years=2, seed=1, today=TODAY, clear=True)
    assert snapshot() == first
    generate_dataset(municipalities=3, years=2, seed=2, today=TODAY, clear=True)
    assert snapshot() != first


@pytest.mark.django_db
def test_generated_data_is_plausible_and_complete():
    generate_dataset(municipalities=8, years=4, seed=1, today=TODAY)
    periods = list(
        PromisePeriod.objects.prefetch_related("municipalities").order_by("valid_from", "pk")
    )
    by_municipality = {}
    for period in periods:
        [municipality] = period.municipalities.all()
        by_municipality.setdefault(municipality.pk, []).append(period)
    assert len(by_municipality) == 8
    current = Tertial.of(TODAY)
    for own in by_municipality.values():
        # The periods cover every year from four years back to now, one after the other.
        assert own[0].valid_from == datetime.date(TODAY.year - 3, 1, 1)
        for earlier, later in zip(own, own[1:]):
            assert later.valid_from == earlier.valid_to + datetime.timedelta(days=1)
        assert any(period.is_current(TODAY) for period in own)
        assert {(p.valid_to.year - p.valid_from.year) for p in own} <= {0, 1}
    promise_counts = Counter(Promise.objects.values_list("period_id", flat=True))
    assert set(promise_counts) == {period.pk for period in periods}
    assert all(4 <= count <= 10 for count in promise_counts.values())
    activity_counts = Counter(Activity.objects.values_list("promise_id", flat=True))
    assert all(2 <= count <= 6 for count in activity_counts.values())
    # As in real documents, some promises have no activities, some a number to reach.
    assert Promise.objects.filter(activities__isnull=True).exists()
    assert Promise.objects.filter(target_value__isnull=False).exists()
    assert Activity.objects.filter(target_value__isnull=False).exists()
    # A follow-up of every promise and every activity for every tertial so far.
    expected = sum(
        (1 + activity_counts[promise.pk])
        * len([t for t in tertials_between(promise.period.valid_from, promise.period.valid_to)
               if t <= current])
        for promise in Promise.objects.select_related("period")
    )
    assert FollowUp.objects.filter(indicator__isnull=True).count() == expected
    # Past tertials of public periods are reported; the current one is still a draft.
    public = TertialReport.objects.public()
    assert public.exists()
    assert not public.filter(year=current.year, tertial=current.number).exists()
    assert all(report.tertial_period < current for report in public)
    assert FollowUp.objects.public().exists()
    assert FollowUp.objects.public().filter(indicator__isnull=False, value__isnull=False).exists()
    statuses = Counter(period.status for period in periods)
    assert statuses["published"] > statuses["draft"]


@pytest.mark.django_db
def test_generated_rows_pass_model_validation():
    generate_dataset(municipalities=5, years=3, seed=1, today=TODAY)
    for period in PromisePeriod.objects.all():
        period.full_clean()
        assert not period.overlapping_periods(period.municipalities.all()).exists()
    for model in (Promise, Activity, FollowUp, TertialReport):
        for row in model.objects.order_by("?")[:40]:
            row.full_clean()


@pytest.mark.django_db
def test_municipalities_with_periods_are_skipped_unless_cleared(katrineholm):
    demo = set(
        PromisePeriod.objects.filter(municipalities__code="0483").values_list("pk", "title")
    )
    result = generate_dataset(municipalities=40, years=1, seed=1, today=TODAY)
    assert [m.code for m in result.skipped] == ["0483"]
    assert set(
        PromisePeriod.objects.filter(municipalities__code="0483").values_list("pk", "title")
    ) == demo
    assert PromisePeriod.objects.values("municipalities").distinct().count() == 40

    generate_dataset(municipalities=40, years=1, seed=1, today=TODAY, clear=True)
    titles = set(
        PromisePeriod.objects.filter(municipalities__code="0483").values_list("title", flat=True)
    )
    assert titles and not titles & {title for _, title in demo}


@pytest.mark.django_db
def test_command_prints_counts_and_retires_cached_pages():
    before = public_generation()
    out = io.StringIO()
    call_command(
        "generate_dataset", "--municipalities", "2", "--years", "1", "--today", "2026-11-23",
        stdout=out,
    )
    text = out.getvalue()
    assert "followups" in text and "Done in" in text
    assert FollowUp.objects.exists()
    assert public_generation() != before


@pytest.mark.django_db
@pytest.mark.parametrize("arguments", [["--municipalities", "0"], ["--today", "yesterday"]])
def test_command_refuses_bad_arguments(arguments):
    with pytest.raises(CommandError):
        call_command("generate_dataset", *arguments, stdout=io.StringIO())
    assert not PromisePeriod.objects.exists()


def export_peak(client, url):
    """(bytes streamed, peak Python memory while streaming) for one national export."""
    import tracemalloc

    tracemalloc.start()
    try:
        response = client.get(url)
        size = sum(len(chunk) for chunk in response.streaming_content)
        return size, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.django_db
def test_national_export_streams_in_memory_that_does_not_grow_with_the_data(client, monkeypatch):
    from django.urls import reverse

    from public import exports

    # Chunks of 8 periods rather than 32: the same streaming over a quarter of the data,
    # so the test takes seconds, not a minute.
    monkeypatch.setattr(exports, "CHUNK_SIZE", 8)
    url = reverse("public:national_json")
    generate_dataset(municipalities=30, years=1, seed=1, today=TODAY)
    # At least three chunks: while one chunk streams the next is loaded, so the peak is
    # two full chunks from here on, however many more periods follow.
    assert PromisePeriod.objects.published().count() > 3 * exports.CHUNK_SIZE
    small_size, small_peak = export_peak(client, url)
    generate_dataset(municipalities=80, years=1, seed=1, today=TODAY)
    large_size, large_peak = export_peak(client, url)
    assert large_size > 2.4 * small_size
    # Nearly three times the data in about the same memory (chunks differ in size, hence
    # the margin), and far below the 50 MB the national export may grow by.
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)
    assert large_peak < 50 * 1024 * 1024, large_peak
