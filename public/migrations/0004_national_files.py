"""The stored national open-data files and the schedule of their builds."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('public', '0003_period_rollup'),
    ]

    operations = [
        migrations.CreateModel(
            name='NationalFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('format', models.CharField(choices=[('json', 'JSON'), ('csv', 'CSV'), ('xlsx', 'Excel (.xlsx)')], max_length=4, unique=True, verbose_name='format')),
                ('file', models.FileField(max_length=200, upload_to='open-data/', verbose_name='file')),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                ('content', models.CharField(max_length=64, verbose_name='content')),
                ('size', models.PositiveBigIntegerField(verbose_name='size')),
                ('built_at', models.DateTimeField(verbose_name='built at')),
                ('generation', models.PositiveBigIntegerField(verbose_name='generation')),
            ],
            options={
                'verbose_name': 'national open-data file',
                'verbose_name_plural': 'national open-data files',
            },
        ),
        migrations.CreateModel(
            name='NationalFileSchedule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('requested', models.PositiveBigIntegerField(default=0)),
                ('queued_at', models.DateTimeField(blank=True, null=True)),
            ],
            options={
                'verbose_name': 'national open-data schedule',
                'verbose_name_plural': 'national open-data schedules',
            },
        ),
    ]
