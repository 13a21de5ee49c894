"""Build the national dataset: for the first N municipalities (by code), periods of one or
two years back from today, each with focus areas, promises, activities, indicators and a
follow-up for every tertial so far, in bulk inserts inside one transaction.

Each municipality draws from its own random generator seeded with (seed, code), so its data
does not depend on how many others are generated. Generated rows have no history rows:
they were never edited by anyone (docs/scaling.md).
"""

import datetime
import random
import time
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from followup.dataset import texts
from followup.models import FollowUp, TertialReport, YearEndComment
from followup.tertials import Tertial, tertials_between
from municipalities.models import Municipality, PoliceArea
from promises.signals import bulk_change
from promises.models import (
    Activity, FocusArea, Indicator, PeriodMunicipality, Priority, Promise, PromisePeriod,
    Signatory,
)

STOCKHOLM = zoneinfo.ZoneInfo("Europe/Stockholm")
# Municipalities built in memory before their rows are written.
CHUNK = 20
BATCH_SIZE = 2000
PromiseFocusArea = Promise.focus_areas.through
PoliceAreaMunicipality = PoliceArea.municipalities.through

# Insert order: every model after the ones it points to.
MODELS = [
    ("periods", PromisePeriod), ("period_municipalities", PeriodMunicipality),
    ("focus_areas", FocusArea), ("priorities", Priority),
    ("signatories", Signatory), ("promises", Promise), ("tertial_reports", TertialReport),
    ("promise_focus_areas", PromiseFocusArea), ("activities", Activity),
    ("indicators", Indicator), ("year_end_comments", YearEndComment),
    ("followups", FollowUp),
]
FOLLOWUP_STATUS_WEIGHTS = {
    "not_started": 1, "ongoing": 5, "done_continuing": 6, "completed": 2, "postponed": 1,
}


@dataclass
class Result:
    counts: Counter = field(default_factory=Counter)
    skipped: list = field(default_factory=list)
    seconds: float = 0.0


def generate_dataset(*, municipalities, years, seed, today=None, clear=False, progress=None):
    """Generate data for the first `municipalities` municipalities by code; return a Result.

    Municipalities that already have periods are skipped, unless `clear` deletes those
    periods first (the Katrineholm demo among them).
    """
    today = today or datetime.date.today()
    started = time.monotonic()
    result = Result()
    selected = list(
        Municipality.objects.select_related("county").order_by("code")[:municipalities]
    )
    with transaction.atomic():
        if clear:
            result.counts["deleted periods"] = clear_periods(selected)
        taken = set(
            PeriodMunicipality.objects.filter(municipality__in=selected)
            .values_list("municipality_id", flat=True)
        )
        result.skipped = [m for m in selected if m.pk in taken]
        todo = [m for m in selected if m.pk not in taken]
        areas = ensure_police_areas(todo, seed=seed, counts=result.counts)
        for start in range(0, len(todo), CHUNK):
            rows = {name: [] for name, _ in MODELS}
            for municipality in todo[start:start + CHUNK]:
                rng = random.Random(f"{seed}:{municipality.code}")
                build_municipality(
                    rows, municipality, areas[municipality.pk], rng=rng, years=years,
                    today=today,
                )
            for name, model in MODELS:
                model.objects.bulk_create(rows[name], batch_size=BATCH_SIZE)
                result.counts[name] += len(rows[name])
            if progress:
                progress(min(start + CHUNK, len(todo)), len(todo))
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses from empty tables until autovacuum runs.
        with connection.cursor() as cursor:
            for _, model in MODELS:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    bulk_change.send(sender=PromisePeriod)
    result.seconds = time.monotonic() - started
    return result


def clear_periods(municipalities):
    """Delete the municipalities' periods and everything in them; return how many periods.

    The generated tables are emptied with plain DELETEs (no per-row signals or history rows,
    which would take hours at national size); the periods themselves go through Django's
    delete, so anything else that points at them is handled by its on_delete rule.
    """
    periods = PromisePeriod.objects.filter(
        pk__in=PeriodMunicipality.objects.filter(municipality__in=municipalities)
        .values("period")
    )
    period_ids = list(periods.values_list("pk", flat=True))
    for queryset in [
        FollowUp.objects.filter(promise__period__in=period_ids),
        YearEndComment.objects.filter(promise__period__in=period_ids),
        TertialReport.objects.filter(period__in=period_ids),
        Indicator.objects.filter(promise__period__in=period_ids),
        Activity.objects.filter(promise__period__in=period_ids),
        PromiseFocusArea.objects.filter(promise__period__in=period_ids),
        Promise.objects.filter(period__in=period_ids),
        FocusArea.objects.filter(period__in=period_ids),
        Signatory.objects.filter(period__in=period_ids),
        Priority.objects.filter(period__in=period_ids),
    ]:
        queryset._raw_delete(queryset.db)
    # A published period is deleted only after unpublishing (promises/deletion.py); this
    # tool clears generated data wholesale, so it takes them back to drafts first.
    PromisePeriod.objects.filter(pk__in=period_ids).update(status="draft", published_at=None)
    count = len(period_ids)
    PromisePeriod.objects.filter(pk__in=period_ids).delete()
    return count


def ensure_police_areas(municipalities, *, seed, counts):
    """One local police area per municipality, or shared by two neighbours in a county."""
    groups = []
    by_county = {}
    for municipality in municipalities:
        by_county.setdefault(municipality.county, []).append(municipality)
    for county, members in by_county.items():
        rng = random.Random(f"{seed}:areas:{county.code}")
        index = 0
        while index < len(members):
            size = rng.choice([1, 1, 2])
            groups.append((county, members[index:index + size]))
            index += size
    names = {group_name(members): (county, members) for county, members in groups}
    existing = {area.name: area for area in PoliceArea.objects.filter(name__in=names)}
    new = [
        PoliceArea(
            name=name,
            police_region_id=county.police_region_id,
            district_name=f"Polisområde {county.name}",
        )
        for name, (county, _) in names.items()
        if name not in existing
    ]
    PoliceArea.objects.bulk_create(new, batch_size=BATCH_SIZE)
    counts["police_areas"] += len(new)
    existing.update((area.name, area) for area in new)
    links = [
        PoliceAreaMunicipality(policearea=existing[name], municipality=municipality)
        for name, (_, members) in names.items()
        for municipality in members
    ]
    PoliceAreaMunicipality.objects.bulk_create(links, ignore_conflicts=True)
    return {m.pk: existing[name] for name, (_, members) in names.items() for m in members}


def group_name(members):
    return "Lokalpolisområde " + " och ".join(m.name for m in members)


def period_spans(rng, *, years, today):
    """Calendar-year spans of one or two years from `years` back up to today's year."""
    year = today.year - years + 1
    while year <= today.year:
        length = rng.choice([1, 1, 2])
        yield year, year + length - 1
        year += length


def build_municipality(rows, municipality, police_area, *, rng, years, today):
    spans = list(period_spans(rng, years=years, today=today))
    last_year = spans[-1][1]
    # Now and then next year's promise is being drafted already.
    if rng.random() < 0.2:
        spans.append((last_year + 1, last_year + 1))
    for first, last in spans:
        if first > today.year:
            status = PromisePeriod.Status.DRAFT
        else:
            status = PromisePeriod.Status.PUBLISHED
        build_period(
            rows, municipality, police_area, first=first, last=last, status=status,
            rng=rng, today=today,
        )


def fill(template, rng, **values):
    place = rng.choice(texts.PLACES).format(school=rng.choice(texts.SCHOOLS))
    return template.format(place=place, **values)


def local_time(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=STOCKHOLM)


def build_period(rows, municipality, police_area, *, first, last, status, rng, today):
    years_text = str(first) if first == last else f"{first}–{last}"
    published = status != PromisePeriod.Status.DRAFT
    period = PromisePeriod(
        police_area=police_area,
        title=f"Medborgarlöften i {municipality.name} {years_text}",
        valid_from=datetime.date(first, 1, 1),
        valid_to=datetime.date(last, 12, 31),
        status=status,
        published_at=(
            local_time(datetime.date(first - 1, 12, rng.randint(1, 20)), 10)
            if published else None
        ),
        introduction=fill(rng.choice(texts.INTRODUCTIONS), rng, municipality=municipality.name),
        situation=fill(rng.choice(texts.SITUATIONS), rng),
        citizen_experience=fill(rng.choice(texts.CITIZEN_EXPERIENCES), rng),
        effects=" ".join(rng.sample(texts.EFFECTS, 2)),
        followup_description=rng.choice(texts.FOLLOWUP_DESCRIPTIONS),
    )
    rows["periods"].append(period)
    rows["period_municipalities"].append(PeriodMunicipality(
        period=period, municipality=municipality, police_area=police_area,
        valid_from=period.valid_from, valid_to=period.valid_to,
    ))
    for order, text in enumerate(rng.sample(texts.PRIORITIES, rng.randint(2, 4)), start=1):
        rows["priorities"].append(Priority(period=period, order=order, text=fill(text, rng)))
    focus_areas = [
        FocusArea(period=period, order=order, name=name, description=description)
        for order, (name, description) in enumerate(
            rng.sample(texts.FOCUS_AREAS, rng.randint(2, 4)), start=1
        )
    ]
    rows["focus_areas"].extend(focus_areas)
    for order, party in enumerate(["police", "municipality"], start=1):
        rows["signatories"].append(Signatory(
            period=period, party=party, order=order,
            name=f"{rng.choice(texts.FIRST_NAMES)} {rng.choice(texts.LAST_NAMES)}",
            title=rng.choice(texts.SIGNATORY_TITLES[party]),
        ))
    # Follow-up exists for every tertial up to the current one; reports are published for
    # the tertials that have ended.
    current = Tertial.of(today)
    tertials = [
        t for t in tertials_between(period.valid_from, period.valid_to) if t <= current
    ]
    for tertial in tertials:
        is_public = published and tertial < current
        presented = tertial.end + datetime.timedelta(days=rng.randint(10, 30))
        rows["tertial_reports"].append(TertialReport(
            period=period, year=tertial.year, tertial=tertial.number,
            summary=fill(rng.choice(texts.REPORT_SUMMARIES), rng),
            presented_on=presented if is_public else None,
            status="published" if is_public else "draft",
            published_at=local_time(min(presented, today), 9) if is_public else None,
        ))
    for order in range(1, rng.randint(4, 10) + 1):
        build_promise(
            rows, period, order, focus_areas=focus_areas, tertials=tertials, rng=rng,
            current=current,
        )


def build_promise(rows, period, order, *, focus_areas, tertials, rng, current):
    party = rng.choice(["police", "municipality", "joint"])
    # Real documents vary: many promises have no activities, some a number to reach.
    target = rng.choice(texts.PROMISE_TARGETS) if rng.random() < 0.3 else None
    promise = Promise(
        period=period, order=order, label=f"Löfte {order}", party=party,
        text=fill(rng.choice(texts.PROMISES[party]), rng),
        followup_method=rng.choice(texts.FOLLOWUP_METHODS),
        **(target_fields(*target, rng=rng) if target else {}),
    )
    rows["promises"].append(promise)
    rows["promise_focus_areas"].append(
        PromiseFocusArea(promise=promise, focusarea=rng.choice(focus_areas))
    )
    for tertial in tertials:
        rows["followups"].append(build_followup(
            promise, tertial, rng=rng, current=current,
            value=Decimal(rng.randint(0, 2 * int(promise.target_value)))
            if target else None,
        ))
    activity_count = rng.choice([0, 0, 2, 3, 4, 6])
    for activity_order in range(1, activity_count + 1):
        text, unit, target_text = rng.choice(texts.ACTIVITIES)
        n = rng.randint(2, 12)
        numeric = bool(unit) and rng.random() < 0.5
        activity = Activity(
            promise=promise, order=activity_order, text=fill(text, rng),
            responsible_party=party if party != "joint" else rng.choice(["police", "municipality"]),
            target_comparison="at_least" if numeric else "",
            target_value=Decimal(n) if numeric else None,
            target_unit=unit if numeric else "",
            target_span="year" if numeric else "period",
            target_text=target_text.format(n=n),
        )
        rows["activities"].append(activity)
        for tertial in tertials:
            rows["followups"].append(build_followup(
                promise, tertial, rng=rng, current=current, activity=activity,
                value=Decimal(rng.randint(0, n)) if numeric else None,
            ))
    for indicator_order in range(1, rng.choice([0, 1, 1, 2]) + 1):
        name, unit, low, high = rng.choice(texts.INDICATORS)
        lower_is_better = rng.random() < 0.5
        indicator = Indicator(
            promise=promise, order=indicator_order, name=name,
            target_comparison="at_most" if lower_is_better else "at_least",
            target_value=Decimal(rng.randint(low, high)), target_unit=unit,
            target_measure="level", target_span="tertial",
            target_direction="lower" if lower_is_better else "higher",
            reporting_party=rng.choice(["police", "municipality"]),
        )
        rows["indicators"].append(indicator)
        level = rng.uniform(low, high)
        for tertial in tertials:
            level = max(0.0, level * rng.uniform(0.85, 1.15))
            rows["followups"].append(FollowUp(
                promise=promise, indicator=indicator, year=tertial.year,
                tertial=tertial.number, status="", account="",
                value=Decimal(f"{level:.1f}") if unit == "procent" else Decimal(round(level)),
            ))
    for year in sorted({t.year for t in tertials if t.year < current.year}):
        if rng.random() < 0.5:
            rows["year_end_comments"].append(YearEndComment(
                promise=promise, year=year, text=rng.choice(texts.YEAR_END_COMMENTS),
            ))


def target_fields(comparison, value, unit, span, rng):
    return {
        "target_comparison": comparison, "target_value": Decimal(value),
        "target_unit": unit, "target_span": span,
        "target_text": f"{dict(AT_WORDS)[comparison]} {value} {unit}",
    }


AT_WORDS = [("at_least", "minst"), ("at_most", "högst"), ("exactly", "exakt")]


def build_followup(promise, tertial, *, rng, current, activity=None, value=None):
    if tertial == current:
        status = rng.choice(["not_started", "ongoing", "ongoing"])
    else:
        status = rng.choices(
            list(FOLLOWUP_STATUS_WEIGHTS), weights=list(FOLLOWUP_STATUS_WEIGHTS.values())
        )[0]
    return FollowUp(
        promise=promise, activity=activity, year=tertial.year, tertial=tertial.number,
        status=status, value=value,
        account=fill(rng.choice(texts.ACCOUNTS[status]), rng, n=rng.randint(2, 9)),
        internal_note=rng.choice(texts.INTERNAL_NOTES) if rng.random() < 0.1 else "",
    )
