"""The action's index without its LIKE twin: ``db_index`` on a text column gives PostgreSQL two
indexes (the second for LIKE, which nothing asks of the action), and every event is written
into both. The plain index is kept as it is, renamed; only the twin goes (no index is built
again on a large audit table)."""

from django.db import migrations, models


def _action_indexes(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "audit_auditevent")
    return [
        name
        for name, info in constraints.items()
        if info["index"] and info["columns"] == ["action"] and name != "audit_action_idx"
    ]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name in _action_indexes(schema_editor):
        quoted = schema_editor.quote_name(name)
        if vendor == "postgresql" and not name.endswith("_like"):
            schema_editor.execute(f"ALTER INDEX {quoted} RENAME TO audit_action_idx")
        else:
            schema_editor.execute(f"DROP INDEX {quoted}")
    if vendor != "postgresql":
        schema_editor.execute("CREATE INDEX audit_action_idx ON audit_auditevent (action)")


def backward(apps, schema_editor):
    # The state before this migration: the action with ``db_index``, as Django indexes it.
    model = apps.get_model("audit", "AuditEvent")
    indexed = model._meta.get_field("action")
    plain = indexed.clone()
    plain.db_index = False
    plain.set_attributes_from_name("action")
    plain.model = model
    schema_editor.execute("DROP INDEX IF EXISTS audit_action_idx")
    schema_editor.alter_field(model, plain, indexed)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_trigger")]
    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward)],
            state_operations=[
                migrations.AlterField(
                    model_name="auditevent",
                    name="action",
                    field=models.CharField(max_length=64),
                ),
                migrations.AddIndex(
                    model_name="auditevent",
                    index=models.Index(fields=["action"], name="audit_action_idx"),
                ),
            ],
        )
    ]
