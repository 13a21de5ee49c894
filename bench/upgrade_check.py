"""An IT department's upgrade, rehearsed: take a database back to the shape it had before
the real-documents migrations, fill it with the generated national dataset in that old
shape, migrate forward, and check that nothing was lost.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mbl_upgrade \\
        .venv/bin/python bench/upgrade_check.py --municipalities 290 --years 4

The database must be a scratch one (it refuses a database that holds any period): it is
migrated to the latest state first, then back. tests/test_upgrade.py runs the same check
with a few municipalities.
"""

import argparse
import datetime
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path

# The state before the real-documents migrations (promises 0004, followup 0003,
# municipalities 0004 and everything that depends on them).
OLD_STATE = [
    ("promises", "0003_document"),
    ("followup", "0002_postgresql_search"),
    ("municipalities", "0003_membership_and_audit_event"),
]
BATCH_SIZE = 2000


def migrate(targets=None):
    """Migrate the default database to `targets` (None: every app's latest migration)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if targets is None:
        targets = executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def copy_fields(instance, model, **extra):
    """An instance of the old `model` with the fields both shapes share."""
    names = {f.attname for f in model._meta.concrete_fields} - {"id"}
    values = {name: getattr(instance, name) for name in names
              if hasattr(instance, name) and name not in extra}
    return model(**values, **extra)


def fill_old_shape(apps, *, municipalities, years, seed, today):
    """The generated dataset (followup/dataset/generator.py) written in the old shape: a
    period has one municipality, an indicator a unit, follow-ups are an activity's only and
    an indicator's values are measurements; promises have no label and no target. Periods
    that ended more than a year ago are "archived" (the old status). Returns the counts."""
    from followup.dataset import generator

    old = {name: apps.get_model(*name.split(".")) for name in [
        "municipalities.Municipality", "municipalities.PoliceArea", "promises.PromisePeriod",
        "promises.FocusArea", "promises.Priority", "promises.Signatory", "promises.Promise",
        "promises.Activity", "promises.Indicator", "followup.FollowUp",
        "followup.Measurement", "followup.TertialReport", "followup.YearEndComment",
    ]}
    Municipality = old["municipalities.Municipality"]
    PoliceArea = old["municipalities.PoliceArea"]
    selected = list(Municipality.objects.select_related("county").order_by("code")
                    [:municipalities])
    areas = {}
    for m in selected:
        area = PoliceArea.objects.create(
            name=f"Lokalpolisområde {m.name}", district_name=f"Polisområde {m.county.name}",
            police_region_id=m.county.police_region_id,
        )
        area.municipalities.add(m)
        areas[m.pk] = area
    counts = Counter()
    for m in selected:
        rows = {name: [] for name, _ in generator.MODELS}
        rng = random.Random(f"{seed}:{m.code}")
        # The generator builds (unsaved) rows of today's models, which name today's classes.
        generator.build_municipality(
            rows, generator.Municipality(pk=m.pk, code=m.code, name=m.name, slug=m.slug,
                                         county_id=m.county_id),
            generator.PoliceArea(pk=areas[m.pk].pk, name=areas[m.pk].name,
                                 police_region_id=areas[m.pk].police_region_id),
            rng=rng, years=years, today=today,
        )
        write_old_shape(old, rows, municipality=m, today=today, counts=counts)
    return counts


def write_old_shape(old, rows, *, municipality, today, counts):
    saved = {}  # id() of a generated row: its old row

    def create(name, model, items, **links):
        made = []
        for item in items:
            extra = {field: saved[id(getattr(item, source))].pk
                     for field, source in links.items()}
            made.append(copy_fields(item, model, **extra))
        model.objects.bulk_create(made, batch_size=BATCH_SIZE)
        for item, row in zip(items, made, strict=True):
            saved[id(item)] = row
        counts[name] += len(made)
        return made

    periods = []
    for period in rows["periods"]:
        row = copy_fields(period, old["promises.PromisePeriod"],
                          municipality_id=municipality.pk)
        if period.status == "published" and period.valid_to.year < today.year - 1:
            row.status = "archived"
        periods.append(row)
    old["promises.PromisePeriod"].objects.bulk_create(periods, batch_size=BATCH_SIZE)
    saved.update({id(p): row for p, row in zip(rows["periods"], periods, strict=True)})
    counts["periods"] += len(periods)
    counts["archived periods"] += sum(p.status == "archived" for p in periods)
    for name, model in [("focus_areas", "promises.FocusArea"),
                        ("priorities", "promises.Priority"),
                        ("signatories", "promises.Signatory"),
                        ("tertial_reports", "followup.TertialReport")]:
        create(name, old[model], rows[name], period_id="period")
    create("promises", old["promises.Promise"], rows["promises"], period_id="period")
    Through = old["promises.Promise"].focus_areas.through
    links = [Through(promise_id=saved[id(link.promise)].pk,
                     focusarea_id=saved[id(link.focusarea)].pk)
             for link in rows["promise_focus_areas"]]
    Through.objects.bulk_create(links, batch_size=BATCH_SIZE)
    counts["promise_focus_areas"] += len(links)
    create("activities", old["promises.Activity"], rows["activities"], promise_id="promise")
    indicators = [i for i in rows["indicators"]]
    for indicator in indicators:
        indicator.unit = indicator.target_unit
    create("indicators", old["promises.Indicator"], indicators, promise_id="promise")
    create("year_end_comments", old["followup.YearEndComment"], rows["year_end_comments"],
           promise_id="promise")
    create("followups", old["followup.FollowUp"],
           [f for f in rows["followups"] if f.activity is not None], activity_id="activity")
    create("measurements", old["followup.Measurement"],
           [f for f in rows["followups"] if f.indicator is not None],
           indicator_id="indicator")
    # Promise-level follow-ups did not exist in the old shape.
    counts["not representable: promise follow-ups"] += sum(
        f.activity is None and f.indicator is None for f in rows["followups"])


def snapshot(apps):
    """What must survive, table by table, as sets of comparable tuples (old shape)."""
    def rows(label, *fields):
        return set(apps.get_model(*label.split(".")).objects.values_list(*fields))

    return {
        "periods": rows("promises.PromisePeriod", "id", "title", "valid_from", "valid_to",
                        "published_at", "introduction", "situation", "citizen_experience",
                        "effects", "followup_description", "police_area_id"),
        "period status": rows("promises.PromisePeriod", "id", "status"),
        "period municipality": rows("promises.PromisePeriod", "id", "municipality_id"),
        "focus areas": rows("promises.FocusArea", "id", "period_id", "order", "name",
                            "description"),
        "priorities": rows("promises.Priority", "id", "period_id", "order", "text"),
        "signatories": rows("promises.Signatory", "id", "period_id", "order", "party", "name",
                            "title"),
        "promises": rows("promises.Promise", "id", "period_id", "order", "party", "text",
                         "followup_method"),
        "promise focus areas": rows("promises.Promise", "id", "focus_areas"),
        "activities": rows("promises.Activity", "id", "promise_id", "order", "text",
                           "responsible_party", "target_value", "target_unit", "target_text"),
        "indicators": rows("promises.Indicator", "id", "promise_id", "order", "name",
                           "unit", "target_value", "target_text", "reporting_party"),
        "tertial reports": rows("followup.TertialReport", "id", "period_id", "year",
                                "tertial", "summary", "presented_on", "status",
                                "published_at"),
        "year-end comments": rows("followup.YearEndComment", "id", "promise_id", "year",
                                  "text"),
        "activity follow-ups": rows("followup.FollowUp", "activity__promise_id",
                                    "activity_id", "year", "tertial", "status", "account",
                                    "internal_note"),
        "measurements": rows("followup.Measurement", "indicator__promise_id", "indicator_id",
                             "year", "tertial", "value", "internal_note"),
    }


def snapshot_after():
    """The same tuples read from the migrated database, in the new shape."""
    from followup.models import FollowUp, TertialReport, YearEndComment
    from promises.models import (
        Activity, FocusArea, Indicator, PeriodMunicipality, Priority, Promise, PromisePeriod,
        Signatory,
    )

    def rows(model, *fields, **filters):
        return set(model.objects.filter(**filters).values_list(*fields))

    return {
        "periods": rows(PromisePeriod, "id", "title", "valid_from", "valid_to",
                        "published_at", "introduction", "situation", "citizen_experience",
                        "effects", "followup_description", "police_area_id"),
        "period status": rows(PromisePeriod, "id", "status"),
        "period municipality": rows(PeriodMunicipality, "period_id", "municipality_id"),
        "focus areas": rows(FocusArea, "id", "period_id", "order", "name", "description"),
        "priorities": rows(Priority, "id", "period_id", "order", "text"),
        "signatories": rows(Signatory, "id", "period_id", "order", "party", "name", "title"),
        "promises": rows(Promise, "id", "period_id", "order", "party", "text",
                         "followup_method"),
        "promise focus areas": rows(Promise, "id", "focus_areas"),
        "activities": rows(Activity, "id", "promise_id", "order", "text", "responsible_party",
                           "target_value", "target_unit", "target_text"),
        "indicators": rows(Indicator, "id", "promise_id", "order", "name", "target_unit",
                           "target_value", "target_text", "reporting_party"),
        "tertial reports": rows(TertialReport, "id", "period_id", "year", "tertial",
                                "summary", "presented_on", "status", "published_at"),
        "year-end comments": rows(YearEndComment, "id", "promise_id", "year", "text"),
        "activity follow-ups": rows(FollowUp, "promise_id", "activity_id", "year", "tertial",
                                    "status", "account", "internal_note",
                                    activity__isnull=False),
        "measurements": rows(FollowUp, "promise_id", "indicator_id", "year", "tertial",
                             "value", "internal_note", indicator__isnull=False),
    }


def expected_after(before):
    """The old snapshot as the new shape must hold it: archived periods are published."""
    expected = dict(before)
    expected["period status"] = {
        (pk, "published" if status == "archived" else status)
        for pk, status in before["period status"]
    }
    return expected


def check_new_rules():
    """What the new shape adds must be filled in as the migration promises: no promise
    follow-up invented, indicators' follow-ups "not reported", a bare target number read as
    "at least", every period's participation row carries its area and validity."""
    from django.db.models import F

    from followup.models import FollowUp
    from promises.models import Activity, Indicator, PeriodMunicipality

    problems = []
    if FollowUp.objects.filter(activity__isnull=True, indicator__isnull=True).exists():
        problems.append("a promise-level follow-up was invented")
    if FollowUp.objects.filter(indicator__isnull=False).exclude(status="").exists():
        problems.append("a measurement was given a status")
    for model in (Activity, Indicator):
        if model.objects.filter(target_value__isnull=False, target_comparison="").exists():
            problems.append(f"a {model.__name__} target has no comparison")
    stale = PeriodMunicipality.objects.exclude(
        police_area_id=F("period__police_area_id"), valid_from=F("period__valid_from"),
        valid_to=F("period__valid_to"),
    )
    if stale.exists():
        problems.append("a period's municipality row lacks its area or validity")
    return problems


def compare(expected, after):
    """{table: (rows lost, rows changed or added)} where they differ."""
    return {
        name: (len(expected[name] - after[name]), len(after[name] - expected[name]))
        for name in expected if expected[name] != after[name]
    }


def run(*, municipalities, years, seed=1, today=None, out=print):
    """The whole rehearsal on the default database; returns (counts, differences,
    problems, seconds of the forward migration)."""
    today = today or datetime.date.today()
    migrate()
    from promises.models import PromisePeriod

    if PromisePeriod.objects.exists():
        raise SystemExit("The database holds periods: use a scratch database.")
    old_apps = migrate(OLD_STATE)
    started = time.monotonic()
    counts = fill_old_shape(old_apps, municipalities=municipalities, years=years, seed=seed,
                            today=today)
    out(f"Filled the old shape in {time.monotonic() - started:.1f} s: "
        + ", ".join(f"{n} {name}" for name, n in sorted(counts.items())))
    before = snapshot(old_apps)
    started = time.monotonic()
    migrate()
    seconds = time.monotonic() - started
    out(f"Migrated forward in {seconds:.1f} s.")
    differences = compare(expected_after(before), snapshot_after())
    problems = check_new_rules()
    for name, (lost, changed) in differences.items():
        out(f"DIFFERS {name}: {lost} rows lost, {changed} changed or added")
    for problem in problems:
        out(f"PROBLEM {problem}")
    if not differences and not problems:
        out("Nothing lost: every table holds what it held, in the new shape.")
    return counts, differences, problems, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--municipalities", type=int, default=290)
    parser.add_argument("--years", type=int, default=4)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    _, differences, problems, _ = run(
        municipalities=arguments.municipalities, years=arguments.years, seed=arguments.seed,
    )
    return 1 if differences or problems else 0


if __name__ == "__main__":
    sys.exit(main())
