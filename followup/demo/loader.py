"""Load the Katrineholm demo periods. A period that already exists is left as it is, so a
second run changes nothing and never overwrites what someone has edited since."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from followup.demo import katrineholm
from followup.models import FollowUp, TertialReport, YearEndComment
from municipalities.models import Municipality, PoliceArea, PoliceRegion
from promises.models import Activity, FocusArea, Promise, PromisePeriod, Signatory

TEXT_SECTIONS = [
    "introduction", "situation", "citizen_experience", "effects", "followup_description",
]


@transaction.atomic
def load_demo():
    """Create the demo periods that are missing; return the titles of those created."""
    municipality = Municipality.objects.get(code=katrineholm.MUNICIPALITY_CODE)
    police_area, _ = PoliceArea.objects.get_or_create(
        name=katrineholm.POLICE_AREA["name"],
        defaults={
            "district_name": katrineholm.POLICE_AREA["district_name"],
            "police_region": PoliceRegion.objects.get(
                name=katrineholm.POLICE_AREA["police_region"]
            ),
        },
    )
    police_area.municipalities.add(municipality)
    created = []
    for spec in katrineholm.PERIODS:
        valid_from = datetime.date.fromisoformat(spec["valid_from"])
        if PromisePeriod.objects.filter(
            municipalities=municipality, police_area=police_area, valid_from=valid_from
        ).exists():
            continue
        create_period(spec, municipality=municipality, police_area=police_area)
        created.append(spec["title"])
    return created


def create_period(spec, *, municipality, police_area):
    now = timezone.now()
    period = PromisePeriod.objects.create(
        police_area=police_area,
        title=spec["title"],
        valid_from=datetime.date.fromisoformat(spec["valid_from"]),
        valid_to=datetime.date.fromisoformat(spec["valid_to"]),
        status=PromisePeriod.Status.PUBLISHED,
        published_at=now,
        **{section: spec.get(section, "") for section in TEXT_SECTIONS},
    )
    period.municipalities.add(municipality)
    for order, area in enumerate(spec["focus_areas"], start=1):
        FocusArea.objects.create(period=period, order=order, **area)
    for order, signatory in enumerate(spec["signatories"], start=1):
        Signatory.objects.create(period=period, order=order, **signatory)
    for order, promise_spec in enumerate(spec["promises"], start=1):
        create_promise(period, order, promise_spec)
    for report in spec["tertial_reports"]:
        TertialReport.objects.create(
            period=period,
            status=TertialReport.Status.PUBLISHED,
            published_at=now,
            **report,
        )
    return period


def create_promise(period, order, spec):
    promise = Promise.objects.create(
        period=period, order=order, party=spec["party"], text=spec["text"]
    )
    if spec.get("year_end_comment"):
        YearEndComment.objects.create(
            promise=promise, year=period.valid_to.year, text=spec["year_end_comment"]
        )
    for activity_order, activity_spec in enumerate(spec.get("activities", []), start=1):
        target = activity_spec.get("target_value")
        activity = Activity.objects.create(
            promise=promise,
            order=activity_order,
            text=activity_spec["text"],
            responsible_party=activity_spec.get("responsible_party", ""),
            target_comparison="at_least" if target is not None else "",
            target_value=Decimal(target) if target is not None else None,
            target_unit=activity_spec.get("target_unit", ""),
            target_span="year" if target is not None else "period",
            target_text=activity_spec.get("target_text", ""),
        )
        for tertial, (status, account) in enumerate(activity_spec["followups"], start=1):
            FollowUp.objects.create(
                promise=promise,
                activity=activity,
                year=period.valid_from.year,
                tertial=tertial,
                status=status,
                account=account,
            )
    return promise
