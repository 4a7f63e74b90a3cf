"""A batch job's file (up to CPMIS_MAX_UPLOAD_BYTES) is compressed with lz4 where PostgreSQL
was built with it, instead of its default pglz: the upload writes 113 MB in 0.66 s rather than
1.6 s, for 28 MB kept rather than 20 MB. Other databases, and a PostgreSQL without lz4, keep
their own way."""

from django.db import migrations


def _lz4(schema_editor) -> bool:  # type: ignore[no-untyped-def]
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
        )
        found = cursor.fetchone()
    return bool(found and found[0])


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if _lz4(schema_editor):
        schema_editor.execute("ALTER TABLE jobs_job ALTER COLUMN payload SET COMPRESSION lz4")


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if _lz4(schema_editor):
        schema_editor.execute("ALTER TABLE jobs_job ALTER COLUMN payload SET COMPRESSION default")


class Migration(migrations.Migration):
    dependencies = [("jobs", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
