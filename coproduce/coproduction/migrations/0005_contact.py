import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("coproduction", "0004_compromise_protocol_version_link"), ("contacts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="contact",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contacts.contact",
            ),
        ),
        migrations.AddField(
            model_name="contributor",
            name="contact",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="contacts.contact",
            ),
        ),
    ]
