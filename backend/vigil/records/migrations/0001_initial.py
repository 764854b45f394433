# PendingRecompute moves from `reports` to the record kit: state only, its table stays.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('reports', '0001_initial'),
        ('sites', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PendingRecompute',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField()),
                        ('requested_at', models.DateTimeField(auto_now_add=True)),
                        ('site', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='sites.site')),
                    ],
                    options={
                        'db_table': 'reports_pendingrecompute',
                        'constraints': [models.UniqueConstraint(fields=('site', 'date'), name='one_pending_recompute')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
