"""PostgreSQL only: a Swedish full-text index over follow-up accounts."""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX followup_account_search_idx ON followup_followup "
            "USING gin (to_tsvector('swedish', account))"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS followup_account_search_idx")


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
