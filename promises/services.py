"""Use cases on promise periods that touch several rows: which focus areas a promise may
name, and next year's draft copied from a period."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from promises.models import FocusArea, PromisePeriod

COPIED_FIELDS = [
    "police_area", "agreement", "introduction", "situation", "citizen_experience",
    "effects", "followup_description", "contact_name", "contact_role", "contact_email",
    "contact_phone",
]
TARGET_FIELDS = [
    "target_comparison", "target_value", "target_value_max", "target_unit", "target_span",
    "target_measure", "target_direction", "target_text",
]


def focus_areas_for(period):
    """A period's promises name its own focus areas or its agreement's."""
    if period is None:
        return FocusArea.objects.none()
    q = Q(period=period)
    if period.agreement_id:
        q |= Q(agreement_id=period.agreement_id)
    return FocusArea.objects.filter(q)


def next_span(period):
    """The same length again, from the day after the period ends (whole years stay whole
    calendar years)."""
    start = period.valid_to + datetime.timedelta(days=1)
    first, last = period.valid_from, period.valid_to
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31):
        return start, datetime.date(last.year + last.year - first.year + 1, 12, 31)
    return start, start + (last - first)


@transaction.atomic
def copy_period(period, *, by=None):
    """A new draft for the next period with the same texts, promises, activities,
    indicators, targets, priorities, focus areas and signatories' titles (not their names),
    and no follow-up and no signatures."""
    period = PromisePeriod.objects.prefetch_related(
        "municipalities", "priorities", "focus_areas", "signatories",
        "promises__focus_areas", "promises__activities", "promises__indicators",
    ).get(pk=period.pk)
    start, end = next_span(period)
    copy = PromisePeriod(
        **{name: getattr(period, name) for name in COPIED_FIELDS},
        title=_("%(title)s (copy for %(start)s–%(end)s)") % {
            "title": period.title, "start": start.year, "end": end.year},
        valid_from=start, valid_to=end,
    )
    if copy.agreement_id and not copy.agreement.valid_to >= end:
        copy.agreement = None
    copy._history_user = by
    copy.save()
    copy.municipalities.set(period.municipalities.all())
    for priority in period.priorities.all():
        copy.priorities.create(order=priority.order, label=priority.label, text=priority.text)
    areas = {}
    for area in period.focus_areas.all():
        areas[area.pk] = copy.focus_areas.create(
            order=area.order, label=area.label, name=area.name, description=area.description,
        )
    for signatory in period.signatories.all():
        copy.signatories.create(
            order=signatory.order, party=signatory.party,
            municipality_id=signatory.municipality_id, title=signatory.title,
        )
    for promise in period.promises.all():
        new = copy.promises.create(
            order=promise.order, label=promise.label, party=promise.party,
            municipality_id=promise.municipality_id, text=promise.text,
            followup_method=promise.followup_method,
            **{name: getattr(promise, name) for name in TARGET_FIELDS},
        )
        new.focus_areas.set(
            [areas.get(area.pk, area) for area in promise.focus_areas.all()]
        )
        for activity in promise.activities.all():
            new.activities.create(
                order=activity.order, label=activity.label, text=activity.text,
                responsible_party=activity.responsible_party,
                **{name: getattr(activity, name) for name in TARGET_FIELDS},
            )
        for indicator in promise.indicators.all():
            new.indicators.create(
                order=indicator.order, label=indicator.label, name=indicator.name,
                reporting_party=indicator.reporting_party,
                **{name: getattr(indicator, name) for name in TARGET_FIELDS},
            )
    return copy
