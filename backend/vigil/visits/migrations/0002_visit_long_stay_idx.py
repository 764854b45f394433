"""A partial index of the long stays, for the occupancy report (PostgreSQL only).

The peak occupancy of a site-day counts visits that started before the day and were still
open. Those that started within LONG_STAY of the day are found on the (site, check-in) index;
the others stayed longer than LONG_STAY or are still open, which few visits do: this index holds
only them, so the report never reads a site's whole history. Its predicate must match
reports.metrics.LONG_STAY. SQLite, which cannot index this expression, reads the table.
"""

from django.db import migrations

INDEX = "visit_long_stay_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON visits_visit (site_id, checked_in_at) "
            "WHERE checked_out_at IS NULL OR checked_out_at - checked_in_at > interval '12:00:00'"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("visits", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
