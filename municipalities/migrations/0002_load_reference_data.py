from django.db import migrations

from municipalities.reference import load_reference_data


def load(apps, schema_editor):
    load_reference_data(
        PoliceRegion=apps.get_model("municipalities", "PoliceRegion"),
        County=apps.get_model("municipalities", "County"),
        Municipality=apps.get_model("municipalities", "Municipality"),
    )


class Migration(migrations.Migration):
    dependencies = [("municipalities", "0001_initial")]

    # Reversing leaves the rows: other data may point at them.
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
