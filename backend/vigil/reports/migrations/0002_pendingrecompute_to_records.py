# PendingRecompute now belongs to the record kit (records.0001): state only, its table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0001_initial'),
        ('records', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='PendingRecompute')],
            database_operations=[],
        ),
    ]
