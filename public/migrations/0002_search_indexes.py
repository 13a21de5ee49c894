"""PostgreSQL only: Swedish full-text indexes over everything the public search reads, each
over a row's label and its text together (the very expressions public/search.py writes).
They replace the promise and activity indexes over the text alone."""

from django.db import migrations

INDEXES = {
    "search_promise_idx": ("promises_promise", "label || ' ' || text"),
    "search_activity_idx": ("promises_activity", "label || ' ' || text"),
    "search_indicator_idx": ("promises_indicator", "label || ' ' || name"),
    "search_priority_idx": ("promises_priority", "label || ' ' || text"),
    "search_focus_area_idx": (
        "promises_focusarea", "label || ' ' || name || ' ' || description"
    ),
}
REPLACED = {
    "promise_text_search_idx": "promises_promise",
    "activity_text_search_idx": "promises_activity",
}


def create(name, table, expression):
    return f"CREATE INDEX {name} ON {table} USING gin (to_tsvector('swedish', {expression}))"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in REPLACED:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(create(name, table, expression))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    for name, table in REPLACED.items():
        schema_editor.execute(create(name, table, "text"))


class Migration(migrations.Migration):
    dependencies = [
        ("public", "0001_subscriptions"),
        ("promises", "0006_real_documents_constraints"),
        ("followup", "0002_postgresql_search"),
    ]

    operations = [migrations.RunPython(forward, backward)]
