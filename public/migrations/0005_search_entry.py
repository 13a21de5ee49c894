"""The search index (public.models.SearchEntry, kept by public/search_index.py): the
table, its Swedish full-text index on PostgreSQL, its rows for an existing installation;
and, on PostgreSQL, the full-text indexes over the source tables dropped, which nothing
reads any more (public 0002, followup 0002)."""

import django.contrib.postgres.search
from django.db import migrations, models

# The indexes this replaces: (name, table, indexed text).
REPLACED = [
    ("search_promise_idx", "promises_promise", "label || ' ' || text"),
    ("search_activity_idx", "promises_activity", "label || ' ' || text"),
    ("search_indicator_idx", "promises_indicator", "label || ' ' || name"),
    ("search_priority_idx", "promises_priority", "label || ' ' || text"),
    ("search_focus_area_idx", "promises_focusarea",
     "label || ' ' || name || ' ' || description"),
    ("followup_account_search_idx", "followup_followup", "account"),
]


def create_vector_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX search_entry_vector_idx ON public_searchentry USING gin (vector) "
            # Written into at once, not through a pending list that every search would
            # read until a vacuum: the index changes a few rows at a time.
            "WITH (fastupdate = off)"
        )


def drop_vector_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_entry_vector_idx")


def fill(apps, schema_editor):
    from public import search_index

    if apps.get_model("promises", "PromisePeriod").objects.filter(status="published").exists() \
            or apps.get_model("promises", "Agreement").objects.filter(status="published").exists():
        search_index.rebuild(apps)


def drop_replaced(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, _table, _text in REPLACED:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create_replaced(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, table, text in REPLACED:
            schema_editor.execute(
                f"CREATE INDEX {name} ON {table} USING gin (to_tsvector('swedish', {text}))"
            )


class Migration(migrations.Migration):

    dependencies = [
        ("public", "0004_national_files"),
        # The latest of the tables the index is written from.
        ("municipalities", "0005_official_names"),
        ("promises", "0007_period_approval"),
        ("followup", "0006_tertial_report_approval"),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchEntry',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rank', models.PositiveSmallIntegerField()),
                ('object_id', models.PositiveBigIntegerField()),
                ('vector', django.contrib.postgres.search.SearchVectorField(null=True)),
                ('kind', models.CharField(max_length=12)),
                ('period_id', models.PositiveBigIntegerField(null=True)),
                ('agreement_id', models.PositiveBigIntegerField(null=True)),
                ('promise_id', models.PositiveBigIntegerField(null=True)),
                ('title', models.CharField(max_length=200)),
                ('valid_from', models.DateField()),
                ('valid_to', models.DateField()),
                ('municipalities', models.TextField(blank=True)),
                ('label', models.CharField(blank=True, max_length=40)),
                ('text', models.TextField(blank=True)),
                ('more', models.TextField(blank=True)),
                ('party', models.CharField(blank=True, max_length=12)),
                ('status', models.CharField(blank=True, max_length=20)),
                ('year', models.PositiveSmallIntegerField(null=True)),
                ('tertial', models.PositiveSmallIntegerField(null=True)),
            ],
            options={
                'indexes': [models.Index(fields=['-rank', '-valid_from', '-object_id'], name='search_entry_rank_idx'), models.Index(fields=['period_id'], name='search_entry_period_idx'), models.Index(fields=['agreement_id'], name='search_entry_agreement_idx'), models.Index(fields=['promise_id'], name='search_entry_promise_idx')],
                'constraints': [models.UniqueConstraint(fields=('kind', 'object_id'), name='search_entry_once')],
            },
        ),
        migrations.RunPython(create_vector_index, drop_vector_index),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(drop_replaced, create_replaced),
    ]
