"""The old columns go (the period's single municipality, the document state, the indicator
unit) and the new rules hold (constraints), now that 0005 has moved the data."""

from django.db import migrations, models

OLD_EXCLUSION = (
    "ALTER TABLE promises_promiseperiod "
    "DROP CONSTRAINT IF EXISTS period_no_overlap_per_municipality_and_area"
)
NEW_EXCLUSION = """
    ALTER TABLE promises_periodmunicipality
    ADD CONSTRAINT period_no_overlap_per_municipality_and_area
    EXCLUDE USING gist (
        municipality_id WITH =,
        police_area_id WITH =,
        daterange(valid_from, valid_to, '[]') WITH &&
    )
"""
DROP_NEW = (
    "ALTER TABLE promises_periodmunicipality "
    "DROP CONSTRAINT IF EXISTS period_no_overlap_per_municipality_and_area"
)


def postgresql(*statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("promises", "0005_real_documents_data")]

    operations = [
        # PostgreSQL refuses overlapping periods for the same municipality and police area;
        # the rule moves with the municipality, from the period to its participation rows.
        migrations.RunPython(postgresql(OLD_EXCLUSION), migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='historicalindicator',
            name='unit',
        ),
        migrations.RemoveField(
            model_name='historicalpromiseperiod',
            name='municipality',
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('agreement__isnull', True), ('kind', 'period'), ('period__isnull', False), ('tertial__isnull', True), ('year__isnull', True)), models.Q(('agreement__isnull', False), ('kind', 'agreement'), ('period__isnull', True), ('tertial__isnull', True), ('year__isnull', True)), models.Q(('agreement__isnull', True), ('kind', 'tertial_report'), ('period__isnull', False), ('signature_count', 0), ('tertial__gte', 1), ('tertial__lte', 3), ('year__isnull', False)), _connector='OR'), name='document_kind_matches_fields', violation_error_message='A medborgarlöfte document belongs to a period, an agreement document to an agreement; a tertial report names its tertial and is unsigned.'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'period')), fields=('period', 'version', 'signature_count'), name='document_period_unique_state_per_version', violation_error_message='This version already has a file in that state.'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.UniqueConstraint(condition=models.Q(('kind', 'agreement')), fields=('agreement', 'version', 'signature_count'), name='document_agreement_unique_state_per_version', violation_error_message='This version already has a file in that state.'),
        ),
        migrations.AddConstraint(
            model_name='focusarea',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('agreement__isnull', True), ('period__isnull', False)), models.Q(('agreement__isnull', False), ('period__isnull', True)), _connector='OR'), name='focus_area_one_owner', violation_error_message='It belongs to a period or to an agreement.'),
        ),
        migrations.AddConstraint(
            model_name='focusarea',
            constraint=models.UniqueConstraint(condition=models.Q(('period__isnull', False)), fields=('period', 'name'), name='focus_area_unique_name_per_period', violation_error_message='This period already has a focus area with that name.'),
        ),
        migrations.AddConstraint(
            model_name='focusarea',
            constraint=models.UniqueConstraint(condition=models.Q(('agreement__isnull', False)), fields=('agreement', 'name'), name='focus_area_unique_name_per_agreement', violation_error_message='This agreement already has a focus area with that name.'),
        ),
        migrations.AddConstraint(
            model_name='signatory',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('agreement__isnull', True), ('period__isnull', False)), models.Q(('agreement__isnull', False), ('period__isnull', True)), _connector='OR'), name='signatory_one_owner', violation_error_message='It belongs to a period or to an agreement.'),
        ),
        migrations.AddConstraint(
            model_name='promiseperiod',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), ('published_at__isnull', False), _connector='OR'), name='promises_promiseperiod_published_has_time', violation_error_message='A published row needs a publication time.'),
        ),
        migrations.RemoveField(
            model_name='document',
            name='state',
        ),
        migrations.RemoveField(
            model_name='indicator',
            name='unit',
        ),
        migrations.RemoveField(
            model_name='promiseperiod',
            name='municipality',
        ),
        migrations.AddConstraint(
            model_name='agreement',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), ('published_at__isnull', False), _connector='OR'), name='promises_agreement_published_has_time', violation_error_message='A published row needs a publication time.'),
        ),
        migrations.AddConstraint(
            model_name='agreement',
            constraint=models.CheckConstraint(condition=models.Q(('valid_from__lte', models.F('valid_to'))), name='agreement_valid_from_not_after_valid_to', violation_error_message='It must end on or after the day it starts.'),
        ),
        migrations.AddConstraint(
            model_name='periodmunicipality',
            constraint=models.UniqueConstraint(fields=('period', 'municipality'), name='period_municipality_unique'),
        ),
        migrations.AddConstraint(
            model_name='signingkey',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('municipality__isnull', False), ('police_area__isnull', True)), models.Q(('municipality__isnull', True), ('police_area__isnull', False)), _connector='OR'), name='signing_key_one_organisation', violation_error_message='A key belongs to a municipality or a police area.'),
        ),
        migrations.RunPython(postgresql(NEW_EXCLUSION), postgresql(DROP_NEW)),
    ]
