"""Default response times for assessment by risk level (policy: high 24 hours, medium 3 days,
low 7 days, as common child-protection case management standards set them). Each
jurisdiction may set its own."""

from django.db import migrations

DEFAULTS = {"high": 24, "medium": 72, "low": 168}


def forward(apps, schema_editor):
    ResponseTime = apps.get_model("cases", "ResponseTime")
    for risk, hours in DEFAULTS.items():
        ResponseTime.objects.get_or_create(jurisdiction=None, risk_level=risk, defaults={"hours": hours})


def backward(apps, schema_editor):
    apps.get_model("cases", "ResponseTime").objects.filter(jurisdiction=None).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
