"""The trigram index over the text of audit entries (coproduce/lib/textindex.py): finding the
entries that mention a person (their record, subject access, erasure) reads the index instead of
every entry. On SQLite an FTS5 table kept in step by triggers; an erasure's redaction is an
UPDATE of these columns, which the update trigger follows. On PostgreSQL pg_trgm GIN indexes."""

from django.db import migrations

from coproduce.lib import textindex


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_redaction_on_erasure")]

    operations = [
        textindex.migration("audit_auditentry", ("actor_label", "object_repr", "changes")),
    ]
