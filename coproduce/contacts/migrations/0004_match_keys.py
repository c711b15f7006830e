"""The duplicate rules' match keys as indexed columns (coproduce/contacts/keys.py), so that the
review queue groups contacts in the database: `Contact.name_key` and `Contact.phone_key`, and
`ContactAddress.mailbox_key` (and an index of the addresses not spelled as their mailbox key,
where every shared mailbox is found). Existing rows are filled in batches, before the indexes are made.
Reversing drops the columns and their indexes (nothing else changes)."""

from django.db import migrations, models

BATCH = 2000


def _update(schema_editor, model, fields, rows):
    """One UPDATE per row, sent in one executemany: `bulk_update`'s CASE statements cost
    about 30 times as much (2,000 rows a second on SQLite at 220,000 contacts)."""
    if not rows:
        return
    qn = schema_editor.connection.ops.quote_name
    sets = ", ".join(f"{qn(name)} = %s" for name in fields)
    sql = f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE {qn(model._meta.pk.column)} = %s"
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def fill(apps, schema_editor):
    from coproduce.contacts.keys import address_key, keys_of

    Contact = apps.get_model("contacts", "Contact")
    ContactAddress = apps.get_model("contacts", "ContactAddress")
    fields = ("full_name", "organisation", "phone", "email")
    batch = []
    for row in Contact.objects.only(*fields).order_by("pk").iterator(chunk_size=BATCH):
        found = keys_of(row)
        if found["name_key"] or found["phone_key"]:  # blank already
            batch.append((found["name_key"], found["phone_key"], row.pk))
        if len(batch) >= BATCH:
            _update(schema_editor, Contact, ["name_key", "phone_key"], batch)
            batch = []
    _update(schema_editor, Contact, ["name_key", "phone_key"], batch)
    batch = []
    for pk, email in ContactAddress.objects.order_by("pk").values_list("pk", "email").iterator(
        chunk_size=BATCH
    ):
        batch.append((address_key(email), pk))
        if len(batch) >= BATCH:
            _update(schema_editor, ContactAddress, ["mailbox_key"], batch)
            batch = []
    _update(schema_editor, ContactAddress, ["mailbox_key"], batch)


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_addresses")]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="name_key",
            field=models.CharField(blank=True, editable=False, max_length=500),
        ),
        migrations.AddField(
            model_name="contact",
            name="phone_key",
            field=models.CharField(blank=True, editable=False, max_length=40),
        ),
        migrations.AddField(
            model_name="contactaddress",
            name="mailbox_key",
            field=models.CharField(blank=True, editable=False, max_length=254),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="contactaddress",
            name="mailbox_key",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=254),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["name_key"], name="contact_name_key"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["phone_key"], name="contact_phone_key"),
        ),
        migrations.AddIndex(
            model_name="contactaddress",
            index=models.Index(
                condition=models.Q(("email", models.F("mailbox_key")), _negated=True),
                fields=["mailbox_key"],
                name="address_mailbox_variant",
            ),
        ),
    ]
