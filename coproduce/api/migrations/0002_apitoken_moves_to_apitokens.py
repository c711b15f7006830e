# Staff API tokens move to the apitokens app (coproduce/apitokens/models.py); the table stays
# where it is (api_apitoken), so this only changes Django's idea of which app owns it.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApiToken")],
            database_operations=[],
        ),
    ]
