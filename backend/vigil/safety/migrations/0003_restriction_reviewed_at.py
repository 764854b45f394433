from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("safety", "0002_record_imported_flag"),
    ]

    operations = [
        migrations.AddField(
            model_name="restriction",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
