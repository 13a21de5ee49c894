"""PostgreSQL only: no two overlapping periods for one municipality and police area
(an exclusion constraint), and Swedish full-text search indexes. SQLite relies on the
model's clean() for the first and a plain search for the second."""

from django.db import migrations

POSTGRES_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE promises_promiseperiod
    ADD CONSTRAINT period_no_overlap_per_municipality_and_area
    EXCLUDE USING gist (
        municipality_id WITH =,
        police_area_id WITH =,
        daterange(valid_from, valid_to, '[]') WITH &&
    )
    """,
    "CREATE INDEX promise_text_search_idx ON promises_promise "
    "USING gin (to_tsvector('swedish', text))",
    "CREATE INDEX activity_text_search_idx ON promises_activity "
    "USING gin (to_tsvector('swedish', text))",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS activity_text_search_idx",
    "DROP INDEX IF EXISTS promise_text_search_idx",
    "ALTER TABLE promises_promiseperiod "
    "DROP CONSTRAINT IF EXISTS period_no_overlap_per_municipality_and_area",
]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("promises", "0001_initial")]

    operations = [migrations.RunPython(run(POSTGRES_FORWARD), run(POSTGRES_BACKWARD))]
