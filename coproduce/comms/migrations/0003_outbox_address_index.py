"""An index serving `to_email__iexact` (coproduce/lib/textindex.py `iexact_migration`): a
person's record, subject access and erasure find their outbox messages, and the delivery
problems of those messages, by address; at national scale (two million messages) that read
the whole outbox twice per record."""

from django.db import migrations

from coproduce.lib import textindex


class Migration(migrations.Migration):
    dependencies = [("comms", "0002_initial")]

    operations = [textindex.iexact_migration("comms_outboxmessage", "to_email")]
