"""Default triage time for complaints: 24 hours (policy, not law). Administrators set it per
jurisdiction with ``triage_time_set``."""

from django.db import migrations


def forwards(apps, schema_editor):
    TriageTime = apps.get_model("complaints", "TriageTime")
    TriageTime.objects.get_or_create(jurisdiction=None, defaults={"hours": 24})


def backwards(apps, schema_editor):
    apps.get_model("complaints", "TriageTime").objects.filter(jurisdiction=None).delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
