"""The search index's periods (rank 7, found by their titles and their municipalities'
names only) read by their own small full-text index on PostgreSQL, and left out of the
ranking index: a search for anything else no longer walks every period's row before
its first hit (public/search.py, PAGE)."""

from django.db import migrations, models


def create_named_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX search_entry_named_vector_idx ON public_searchentry USING gin (vector)"
            " WITH (fastupdate = off) WHERE rank = 7"
        )


def drop_named_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_named_vector_idx")


class Migration(migrations.Migration):

    dependencies = [
        ("public", "0007_site_pages"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="searchentry",
            name="search_entry_rank_idx",
        ),
        migrations.AddIndex(
            model_name="searchentry",
            index=models.Index(
                condition=models.Q(("rank__lt", 7)), fields=["-rank", "-valid_from", "-object_id"],
                name="search_entry_rank_idx",
            ),
        ),
        migrations.RunPython(create_named_index, drop_named_index),
    ]
