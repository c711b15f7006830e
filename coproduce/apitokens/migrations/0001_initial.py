# Staff API tokens, moved here from the api app: the table api_apitoken already exists (made by
# api.0001), so only Django's state changes.

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("api", "0002_apitoken_moves_to_apitokens"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApiToken",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("public_id", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                        ("name", models.CharField(help_text="What the token is for.", max_length=100)),
                        ("prefix", models.CharField(editable=False, max_length=11, unique=True)),
                        ("hashed", models.CharField(editable=False, max_length=64, verbose_name="SHA-256 of the token")),
                        ("created", models.DateTimeField(default=django.utils.timezone.now, editable=False)),
                        ("last_used", models.DateTimeField(blank=True, editable=False, null=True)),
                        ("revoked", models.DateTimeField(blank=True, editable=False, null=True)),
                        ("owner", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="api_tokens", to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        "verbose_name": "API token",
                        "ordering": ["-created", "-id"],
                        "db_table": "api_apitoken",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
