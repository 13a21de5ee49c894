"""The medborgarlöfte document of a period: what it says, laid out for print."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from promises.documents.rendering import paragraphs, render
from promises.models import Party, Promise, PromisePeriod, SigningParty

PARTY_HEADINGS = {
    Party.POLICE: gettext_noop("The police promise"),
    Party.MUNICIPALITY: gettext_noop("The municipality promises"),
    Party.JOINT: gettext_noop("The police and the municipality promise together"),
}
SECTIONS = [
    ("introduction", gettext_noop("Introduction")),
    ("situation", gettext_noop("The shared situation picture")),
    ("citizen_experience", gettext_noop("What citizens experience")),
    ("effects", gettext_noop("Effects sought")),
    ("followup_description", gettext_noop("Follow-up and feedback to citizens")),
]


def target_text(item):
    if item.target_text:
        return item.target_text
    if item.target_value is not None:
        value = f"{item.target_value.normalize():f}"
        unit = getattr(item, "target_unit", None) or getattr(item, "unit", "")
        return f"{value} {unit}".strip()
    return ""


def agreement_context(period):
    period = (
        PromisePeriod.objects.select_related("municipality", "police_area")
        .prefetch_related(
            "focus_areas", "priorities", "signatories",
            Prefetch(
                "promises",
                queryset=Promise.objects.order_by("order", "pk").prefetch_related(
                    "focus_areas", "activities", "indicators"
                ),
            ),
        )
        .get(pk=period.pk)
    )
    focus_areas = [
        {"name": area.name, "paragraphs": paragraphs(area.description)}
        for area in period.focus_areas.all()
    ]
    sections = []
    for name, heading in SECTIONS:
        text = getattr(period, name)
        if text or (name == "situation" and focus_areas):
            sections.append({
                "name": name, "heading": _(heading), "paragraphs": paragraphs(text),
                "focus_areas": focus_areas if name == "situation" else [],
            })
    groups = []
    for party in (Party.POLICE, Party.MUNICIPALITY, Party.JOINT):
        promises = [
            {
                "paragraphs": paragraphs(promise.text),
                "focus_area_names": [area.name for area in promise.focus_areas.all()],
                "followup_method": promise.followup_method,
                "activities": [
                    {
                        "text": activity.text,
                        "target": target_text(activity),
                        "responsible": activity.get_responsible_party_display(),
                    }
                    for activity in promise.activities.all()
                ],
                "indicators": [
                    {
                        "name": indicator.name,
                        "target": target_text(indicator),
                        "reported_by": indicator.get_reporting_party_display(),
                    }
                    for indicator in promise.indicators.all()
                ],
            }
            for promise in period.promises.all()
            if promise.party == party
        ]
        if promises:
            groups.append({"heading": _(PARTY_HEADINGS[party]), "promises": promises})
    signatories, seen_parties = [], set()
    for signatory in period.signatories.all():
        first_of_party = signatory.party not in seen_parties
        seen_parties.add(signatory.party)
        signatories.append({
            "name": signatory.name,
            "title": signatory.title,
            "party": signatory.party,
            "box_id": f"signature-{signatory.party}" if first_of_party
            else f"signature-{signatory.party}-{signatory.pk}",
        })
    return period, {
        "period": period,
        "sections": sections,
        "priorities": list(period.priorities.all()),
        "promise_groups": groups,
        "signatories": signatories,
    }


def render_agreement(period, *, version, created_at=None):
    """The agreement as PDF/A, with the place of each party's signature stamp."""
    period, context = agreement_context(period)
    context.update(version=version, created_at=timezone.localtime(created_at))
    box_ids = [(party, f"signature-{party}") for party in SigningParty.values]
    return render("pdf/agreement.html", context, box_ids=box_ids)
