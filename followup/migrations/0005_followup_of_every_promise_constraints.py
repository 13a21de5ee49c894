"""Every follow-up names its promise; measurements are follow-ups of their indicators now
(moved in 0004), so their tables go; the new rules hold."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("followup", "0004_followup_of_every_promise_data")]

    operations = [
        migrations.AlterField(
            model_name='followup',
            name='promise',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='followups', to='promises.promise', verbose_name='promise'),
        ),
        migrations.RemoveField(
            model_name='historicalmeasurement',
            name='history_user',
        ),
        migrations.RemoveField(
            model_name='historicalmeasurement',
            name='indicator',
        ),
        migrations.RemoveField(
            model_name='historicalmeasurement',
            name='updated_by',
        ),
        migrations.RemoveConstraint(
            model_name='measurement',
            name='measurement_unique_per_indicator_tertial',
        ),
        migrations.RemoveConstraint(
            model_name='measurement',
            name='measurement_tertial_1_to_3',
        ),
        migrations.AddConstraint(
            model_name='followup',
            constraint=models.CheckConstraint(condition=models.Q(('activity__isnull', True), ('indicator__isnull', True), _connector='OR'), name='followup_one_subject', violation_error_message='A follow-up is of a promise, one of its activities or one of its indicators.'),
        ),
        migrations.AddConstraint(
            model_name='followup',
            constraint=models.UniqueConstraint(condition=models.Q(('activity__isnull', True), ('indicator__isnull', True)), fields=('promise', 'year', 'tertial'), name='followup_unique_per_promise_tertial', violation_error_message='This promise already has a follow-up for that tertial.'),
        ),
        migrations.AddConstraint(
            model_name='followup',
            constraint=models.UniqueConstraint(condition=models.Q(('activity__isnull', False)), fields=('activity', 'year', 'tertial'), name='followup_unique_per_activity_tertial', violation_error_message='This activity already has a follow-up for that tertial.'),
        ),
        migrations.AddConstraint(
            model_name='followup',
            constraint=models.UniqueConstraint(condition=models.Q(('indicator__isnull', False)), fields=('indicator', 'year', 'tertial'), name='followup_unique_per_indicator_tertial', violation_error_message='This indicator already has a follow-up for that tertial.'),
        ),
        migrations.AddConstraint(
            model_name='followup',
            constraint=models.CheckConstraint(condition=models.Q(('tertial__in', [1, 2, 3])), name='followup_tertial_1_to_3', violation_error_message='A tertial is 1, 2 or 3.'),
        ),
        migrations.AddConstraint(
            model_name='tertialreport',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), ('published_at__isnull', False), _connector='OR'), name='followup_tertialreport_published_has_time', violation_error_message='A published row needs a publication time.'),
        ),
        migrations.AddConstraint(
            model_name='tertialreport',
            constraint=models.CheckConstraint(condition=models.Q(('tertial__in', [1, 2, 3])), name='tertial_report_tertial_1_to_3', violation_error_message='A tertial is 1, 2 or 3.'),
        ),
        migrations.DeleteModel(
            name='HistoricalMeasurement',
        ),
        migrations.DeleteModel(
            name='Measurement',
        ),
    ]
