"""Create the "personal data export" group that access.py checks (bulk export of personal data
and the API's personal-data endpoints, for staff who are not managers)."""

from django.db import migrations

NAME = "personal data export"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=NAME)


class Migration(migrations.Migration):
    dependencies = [("registry", "0003_role_unique_message")]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
