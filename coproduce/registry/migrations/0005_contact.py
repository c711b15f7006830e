import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("registry", "0004_personal_data_export_group"), ("contacts", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="person",
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
