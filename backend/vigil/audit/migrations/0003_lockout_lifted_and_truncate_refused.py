"""Lifting a login lockout is audited; the audit log refuses TRUNCATE too (PostgreSQL).

With 0002 the log refuses row UPDATE and DELETE even from its owner; TRUNCATE empties a table
without touching rows, so it gets its own statement trigger. What the trigger cannot stop (the
owner dropping or disabling it) is why the application connects as a role that owns nothing:
see the `vigil_db_grants` command and the README's deployment section.
"""

from django.db import migrations, models

UP = """
CREATE TRIGGER audit_auditevent_no_truncate
    BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_auditevent_refuse_change();
"""
DOWN = "DROP TRIGGER IF EXISTS audit_auditevent_no_truncate ON audit_auditevent;"


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UP, params=None)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DOWN, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_audit_append_only_trigger")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("create", "Create"),
                    ("update", "Update"),
                    ("void", "Void"),
                    ("submit", "Submit"),
                    ("review", "Review"),
                    ("merge", "Merge"),
                    ("export", "Export"),
                    ("login", "Login"),
                    ("login_failed", "Login Failed"),
                    ("logout", "Logout"),
                    ("lockout_lifted", "Lockout Lifted"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(install, uninstall),
    ]
