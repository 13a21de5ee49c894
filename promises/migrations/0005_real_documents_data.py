"""Move the data into the new shape, losing nothing:
- each period's municipality becomes its first (and only) taking part;
- "archived" periods are published ones (public is public);
- an indicator's unit is its target's unit; a target number without a comparison was
  read as "at least" (its progress was shown as a share of it);
- the period's PDF is the medborgarlöfte document (kind "period"); its signed states count
  signatures, and name the first signatory of the party that signed.
"""

from django.db import migrations
from django.db.models import F, OuterRef, Subquery


def forward(apps, schema_editor):
    PromisePeriod = apps.get_model("promises", "PromisePeriod")
    PeriodMunicipality = apps.get_model("promises", "PeriodMunicipality")
    HistoricalPromisePeriod = apps.get_model("promises", "HistoricalPromisePeriod")
    Indicator = apps.get_model("promises", "Indicator")
    HistoricalIndicator = apps.get_model("promises", "HistoricalIndicator")
    Activity = apps.get_model("promises", "Activity")
    Document = apps.get_model("promises", "Document")
    Signatory = apps.get_model("promises", "Signatory")

    rows = PromisePeriod.objects.values_list(
        "pk", "municipality_id", "police_area_id", "valid_from", "valid_to"
    ).iterator(chunk_size=2000)
    batch = []
    for pk, municipality, area, start, end in rows:
        batch.append(PeriodMunicipality(
            period_id=pk, municipality_id=municipality, police_area_id=area,
            valid_from=start, valid_to=end,
        ))
        if len(batch) == 2000:
            PeriodMunicipality.objects.bulk_create(batch)
            batch = []
    PeriodMunicipality.objects.bulk_create(batch)

    PromisePeriod.objects.filter(status="archived").update(status="published")
    HistoricalPromisePeriod.objects.filter(status="archived").update(status="published")

    Indicator.objects.exclude(unit="").update(target_unit=F("unit"))
    HistoricalIndicator.objects.exclude(unit="").update(target_unit=F("unit"))
    for model in (Indicator, Activity):
        model.objects.filter(target_value__isnull=False, target_comparison="").update(
            target_comparison="at_least"
        )

    Document.objects.filter(kind="agreement").update(kind="period")
    first_of = {
        party: Subquery(
            Signatory.objects.filter(period=OuterRef("period"), party=party)
            .order_by("order", "pk").values("pk")[:1]
        )
        for party in ("police", "municipality")
    }
    Document.objects.filter(state="signed_by_police").update(
        signature_count=1, signatory=first_of["police"]
    )
    Document.objects.filter(state="signed_by_both").update(
        signature_count=2, signatory=first_of["municipality"]
    )


def backward(apps, schema_editor):
    PromisePeriod = apps.get_model("promises", "PromisePeriod")
    PeriodMunicipality = apps.get_model("promises", "PeriodMunicipality")
    Document = apps.get_model("promises", "Document")
    Indicator = apps.get_model("promises", "Indicator")
    first = PeriodMunicipality.objects.filter(period=OuterRef("pk")).order_by("pk")
    PromisePeriod.objects.update(municipality=Subquery(first.values("municipality")[:1]))
    Indicator.objects.update(unit=F("target_unit"))
    Document.objects.filter(kind="period").update(kind="agreement")
    for count, state in ((0, "unsigned"), (1, "signed_by_police"), (2, "signed_by_both")):
        Document.objects.filter(signature_count=count).update(state=state)


class Migration(migrations.Migration):
    dependencies = [("promises", "0004_real_documents_schema")]

    operations = [migrations.RunPython(forward, backward)]
