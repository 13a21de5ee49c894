"""What a period's or an agreement's document says, laid out for print: in the document's
own order and numbering, with the parties, targets and signatories as written."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_noop

from promises.documents import signing
from promises.documents.rendering import paragraphs, render
from promises.models import Agreement, Promise, PromisePeriod

# The period's texts in the order the document gives them; the web page uses these names.
SECTIONS = [
    ("introduction", gettext_noop("Introduction")),
    ("situation", gettext_noop("The shared situation picture")),
    ("citizen_experience", gettext_noop("What citizens experience")),
    ("effects", gettext_noop("Effects sought")),
    ("followup_description", gettext_noop("Follow-up and feedback to citizens")),
]


def promise_layout(promise):
    return {
        "label": promise.label,
        "party": promise.get_party_display(),
        "municipality": promise.municipality.name if promise.municipality_id else "",
        "paragraphs": paragraphs(promise.text),
        "target": promise.target.describe(),
        "focus_area_names": [area.name for area in promise.focus_areas.all()],
        "followup_method": promise.followup_method,
        "activities": [
            {"label": a.label, "text": a.text, "target": a.target.describe(),
             "responsible": a.get_responsible_party_display()}
            for a in promise.activities.all()
        ],
        "indicators": [
            {"label": i.label, "name": i.name, "target": i.target.describe(),
             "reported_by": i.get_reporting_party_display()}
            for i in promise.indicators.all()
        ],
    }


def signature_blocks(owner):
    return [
        {
            "name": signatory.name,
            "title": signatory.title,
            "organisation": getattr(signatory.organisation(), "proper_name", None)
            or str(signatory.organisation() or ""),
            "field_name": signing.field_name(signatory),
            "box_id": f"signature-{signatory.pk}",
        }
        for signatory in owner.signatories.all()
    ]


def period_context(period):
    period = (
        PromisePeriod.objects.select_related("police_area", "agreement")
        .prefetch_related(
            "municipalities", "focus_areas", "priorities", "signatories",
            Prefetch(
                "promises",
                queryset=Promise.objects.order_by("order", "pk")
                .select_related("municipality")
                .prefetch_related("focus_areas", "activities", "indicators"),
            ),
        )
        .get(pk=period.pk)
    )
    sections = [
        {"name": name, "heading": heading, "paragraphs": paragraphs(getattr(period, name))}
        for name, heading in SECTIONS if getattr(period, name)
    ]
    return period, {
        "owner": period,
        "period": period,
        "sections": sections,
        "focus_areas": [
            {"label": area.label, "name": area.name, "paragraphs": paragraphs(area.description)}
            for area in period.focus_areas.all()
        ],
        "priorities": list(period.priorities.all()),
        "promises": [promise_layout(promise) for promise in period.promises.all()],
        "signatories": signature_blocks(period),
    }


def agreement_context(agreement):
    agreement = (
        Agreement.objects.select_related("police_area")
        .prefetch_related("municipalities", "sections", "focus_areas", "signatories")
        .get(pk=agreement.pk)
    )
    return agreement, {
        "owner": agreement,
        "agreement": agreement,
        "sections": [
            {"heading": section.heading, "paragraphs": paragraphs(section.text)}
            for section in agreement.sections.all()
        ],
        "focus_areas": [
            {"label": area.label, "name": area.name, "paragraphs": paragraphs(area.description)}
            for area in agreement.focus_areas.all()
        ],
        "signatories": signature_blocks(agreement),
    }


def render_document(owner, *, version, created_at=None):
    """A period's medborgarlöfte document or an agreement as PDF/A, with the place of each
    signatory's signature field."""
    if isinstance(owner, Agreement):
        owner, context = agreement_context(owner)
        template = "pdf/agreement.html"
    else:
        owner, context = period_context(owner)
        template = "pdf/period.html"
    context.update(version=version, created_at=timezone.localtime(created_at))
    box_ids = [(block["field_name"], block["box_id"]) for block in context["signatories"]]
    return render(template, context, box_ids=box_ids)
