"""Every existing row gets its contact: the contact of its normalised address (made if
missing), or one of its own when it has no address (coproduce/contacts/roles.py, `link_rows`).
Nothing else changes; going back leaves the links (the column goes with the migration before)."""

from django.db import migrations


def link(apps, schema_editor):
    from coproduce.contacts.roles import link_rows

    Contact = apps.get_model("contacts", "Contact")
    link_rows(
        Contact,
        apps.get_model("community", "Associate"),
        email="email",
        name="full_name",
        organisation="organisation",
    )


class Migration(migrations.Migration):
    dependencies = [("community", "0006_contact"), ("contacts", "0002_link_users")]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
