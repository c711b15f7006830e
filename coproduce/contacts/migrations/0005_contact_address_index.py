"""An index serving `email__iexact` on contacts (coproduce/lib/textindex.py
`iexact_migration`): a person's record finds their contact rows by address."""

from django.db import migrations

from coproduce.lib import textindex


class Migration(migrations.Migration):
    dependencies = [("contacts", "0004_match_keys")]

    operations = [textindex.iexact_migration("contacts_contact", "email")]
