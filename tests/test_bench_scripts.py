"""The bench scripts run against the current models: each one's setup and measuring code on
a tiny generated dataset (or the demo), without gunicorn or wrk, so that a change to the
models that breaks bench/ fails here rather than on the next benchmark day."""

import sys
from pathlib import Path

import pytest

from followup.dataset import generate_dataset

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import drill  # noqa: E402
import measure  # noqa: E402
import pdf_bench  # noqa: E402
import profile_page  # noqa: E402


@pytest.fixture
def tiny_dataset(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "127.0.0.1"]
    # As on the bench, the roll-up and the search table are written when the data is
    # committed, not by the first page that reads them.
    with django_capture_on_commit_callbacks(execute=True):
        generate_dataset(municipalities=3, years=2, seed=1)


@pytest.mark.django_db
def test_measure_picks_every_page_and_counts_its_queries(tiny_dataset):
    targets = measure.pick_targets()
    names = [name for name, _ in targets]
    assert names[:6] == ["floor", "home", "municipality", "overview", "period", "period_typical"]
    assert {"search", "national_json", "pdf"} <= set(names)
    counts = measure.count_queries(targets + measure.extra_pages(targets))
    for name, row in counts.items():
        assert row["status"] == 200, name
        assert row["cached"] <= row["uncached"] <= measure.QUERY_BUDGET + 1, name
    assert measure.dataset_counts()["periods"] > 0


@pytest.mark.django_db
def test_profile_page_groups_the_time_of_a_period_page(tiny_dataset):
    path = dict(measure.pick_targets())["period"]
    result = profile_page.profile(path, requests=1, top=5)
    assert result["queries"] > 0 and result["bytes"] > 1000
    assert "Django templates" in result["groups"]
    assert "| CPU self time by where the code lives |" in result["markdown"]


@pytest.mark.django_db
def test_drill_saves_follow_ups_through_the_tertial_service(katrineholm):
    from followup.models import FollowUp

    assert len(drill.public_paths()) == 9
    period, users = drill.drill_users()
    slots = drill.editable_slots(period, users)
    (activity_id, tertial), user = sorted(slots.items(), key=lambda s: (s[0][0], s[0][1]))[0]
    assert drill.save(period, user, activity_id, tertial, "drill text", None) == 1
    followup = FollowUp.objects.get(activity_id=activity_id, year=tertial.year,
                                    tertial=tertial.number)
    ledger = {"errors": [], "refused": 0, "contested": 0,
              "final": {(activity_id, tertial.year, tertial.number): ("drill text", 1)}}
    assert followup.version == 1
    assert drill.check_ledger(ledger) == []


@pytest.mark.django_db
def test_pdf_bench_renders_signs_and_verifies(katrineholm, signing_keys):
    from followup.models import TertialReport
    from promises.documents import verification

    period = katrineholm[2022]
    report = TertialReport.objects.get(period__valid_from__year=2018, tertial=3)
    render_agreement, sign_all, render_report, state = pdf_bench.steps(period, report)
    render_agreement()
    sign_all()
    render_report()
    checks = verification.read_signatures(state["signed"]).signatures
    assert len(checks) == period.signatories.count() and all(c.ok for c in checks)
    assert state["report"].startswith(b"%PDF")
