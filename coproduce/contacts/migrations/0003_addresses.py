"""A contact's addresses (`ContactAddress`): every contact with an address gets its primary
one (`Contact.email`) as its first. Reversing drops the table (`Contact.email` stays)."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def fill(apps, schema_editor):
    Contact = apps.get_model("contacts", "Contact")
    ContactAddress = apps.get_model("contacts", "ContactAddress")
    held = set(ContactAddress.objects.values_list("email", flat=True))
    batch = []
    rows = Contact.objects.exclude(email="").order_by("pk").values_list("pk", "email", "created")
    for pk, email, created in rows.iterator():
        if email in held:
            continue
        held.add(email)
        batch.append(ContactAddress(contact_id=pk, email=email, added=created, how="first address"))
        if len(batch) >= 500:
            ContactAddress.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    ContactAddress.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0002_link_users")]

    operations = [
        migrations.CreateModel(
            name="ContactAddress",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.CharField(max_length=254, unique=True)),
                ("added", models.DateTimeField(default=django.utils.timezone.now)),
                ("how", models.CharField(blank=True, max_length=200)),
                (
                    "contact",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="addresses",
                        to="contacts.contact",
                    ),
                ),
            ],
            options={
                "verbose_name": "contact address",
                "verbose_name_plural": "contact addresses",
                "ordering": ["contact", "added", "pk"],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
