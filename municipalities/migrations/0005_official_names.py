"""Official names where a municipality does not call itself "<name>s kommun": the cities
that call themselves "stad" and Region Gotland. The rest keep the default (blank)."""

from django.db import migrations

OFFICIAL_NAMES = {
    "0180": "Stockholms stad",
    "0184": "Solna stad",
    "0183": "Sundbybergs stad",
    "0186": "Lidingö stad",
    "0187": "Vaxholms stad",
    "0980": "Region Gotland",
    "1280": "Malmö stad",
    "1282": "Landskrona stad",
    "1283": "Helsingborgs stad",
    "1480": "Göteborgs Stad",
    "1481": "Mölndals stad",
    "1488": "Trollhättans stad",
    "1490": "Borås Stad",
    "1980": "Västerås stad",
    "2583": "Haparanda stad",
}


def forward(apps, schema_editor):
    Municipality = apps.get_model("municipalities", "Municipality")
    for code, name in OFFICIAL_NAMES.items():
        Municipality.objects.filter(code=code, official_name="").update(official_name=name)


def backward(apps, schema_editor):
    Municipality = apps.get_model("municipalities", "Municipality")
    Municipality.objects.filter(code__in=OFFICIAL_NAMES).update(official_name="")


class Migration(migrations.Migration):
    dependencies = [("municipalities", "0004_police_area_code_and_official_name")]

    operations = [migrations.RunPython(forward, backward)]
