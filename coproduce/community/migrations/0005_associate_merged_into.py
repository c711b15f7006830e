from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("community", "0004_registration_email_index")]

    operations = [
        migrations.AddField(
            model_name="associate",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="community.associate",
                help_text="Set when this record was merged into another (a duplicate).",
            ),
        ),
    ]
