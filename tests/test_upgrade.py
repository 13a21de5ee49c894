"""The upgrade an IT department runs: a database in the shape before the real-documents
migrations, holding the generated dataset, migrates forward with nothing lost
(bench/upgrade_check.py; the full national dataset is run from there)."""

import datetime
import runpy
from pathlib import Path

import pytest
from django.conf import settings

from followup.dataset.generator import clear_periods
from municipalities.models import Municipality

CHECK = runpy.run_path(str(Path(__file__).resolve().parent.parent / "bench" /
                           "upgrade_check.py"))


# CI runs it beside the browser tests, in their PostgreSQL process (.ci/run).
pytestmark = pytest.mark.upgrade

# Migrating every app back and forth takes minutes on SQLite (each schema change rebuilds
# its table); the upgrade being rehearsed is PostgreSQL's anyway.
@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="the upgrade is rehearsed on PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_generated_dataset_in_the_old_shape_migrates_forward_with_nothing_lost():
    # The demo, committed for the run, is not this database's data: it goes first (the
    # database is emptied and restored after a transactional test anyway).
    clear_periods(Municipality.objects.all())
    lines = []
    counts, differences, problems, _ = CHECK["run"](
        municipalities=4, years=3, seed=1, today=datetime.date(2026, 11, 23),
        out=lines.append,
    )
    assert counts["periods"] >= 4 and counts["archived periods"] > 0
    assert counts["followups"] > 0 and counts["measurements"] > 0
    assert counts["promise_focus_areas"] > 0 and counts["indicators"] > 0
    assert differences == {} and problems == [], lines
