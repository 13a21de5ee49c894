"""Move the data, losing nothing: each follow-up names its activity's promise; each
measurement becomes the follow-up of its indicator (its value and internal note kept, its
status "not reported"), history included. Plain SQL, so a national dataset moves in
seconds on SQLite and PostgreSQL alike."""

from django.db import migrations

FORWARD = [
    """
    UPDATE followup_followup SET promise_id = (
        SELECT a.promise_id FROM promises_activity a
        WHERE a.id = followup_followup.activity_id
    )
    """,
    """
    UPDATE followup_historicalfollowup SET promise_id = (
        SELECT a.promise_id FROM promises_activity a
        WHERE a.id = followup_historicalfollowup.activity_id
    )
    """,
    """
    INSERT INTO followup_followup (
        year, tertial, activity_id, indicator_id, promise_id, status, account,
        internal_note, value, updated_at, updated_by_id, version, correction
    )
    SELECT m.year, m.tertial, NULL, m.indicator_id, i.promise_id, '', '', m.internal_note,
           m.value, m.updated_at, m.updated_by_id, m.version, ''
    FROM followup_measurement m
    JOIN promises_indicator i ON i.id = m.indicator_id
    """,
    # A measurement deleted before the upgrade keeps its history under a negative id, which
    # no follow-up has, so it is never mistaken for another row's.
    """
    INSERT INTO followup_historicalfollowup (
        id, year, tertial, status, account, internal_note, updated_at, version,
        history_date, history_change_reason, history_type, activity_id, history_user_id,
        updated_by_id, promise_id, indicator_id, value, correction
    )
    SELECT COALESCE(f.id, -h.id), h.year, h.tertial, '', '', h.internal_note, h.updated_at,
           h.version, h.history_date, h.history_change_reason, h.history_type, NULL,
           h.history_user_id, h.updated_by_id, i.promise_id, h.indicator_id, h.value, ''
    FROM followup_historicalmeasurement h
    LEFT JOIN promises_indicator i ON i.id = h.indicator_id
    LEFT JOIN followup_followup f
        ON f.indicator_id = h.indicator_id AND f.year = h.year AND f.tertial = h.tertial
    ORDER BY h.history_id
    """,
]

BACKWARD = [
    """
    INSERT INTO followup_measurement (
        year, tertial, indicator_id, value, internal_note, updated_at, updated_by_id, version
    )
    SELECT f.year, f.tertial, f.indicator_id, COALESCE(f.value, 0), f.internal_note,
           f.updated_at, f.updated_by_id, f.version
    FROM followup_followup f WHERE f.indicator_id IS NOT NULL
    """,
    "DELETE FROM followup_followup WHERE activity_id IS NULL",
]


class Migration(migrations.Migration):
    dependencies = [("followup", "0003_followup_of_every_promise_schema")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
