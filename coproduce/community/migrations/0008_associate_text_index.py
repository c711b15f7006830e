"""The trigram index over associates' names and organisations (coproduce/lib/textindex.py), for
the staff directory's search: on SQLite an FTS5 table kept in step by triggers, on PostgreSQL
pg_trgm GIN indexes.

The directory's search also matches the start of an address (`email LIKE 'jo.b%'`). On SQLite
a range over the unique index on LOWER(email) serves it (forms_directory.py); on PostgreSQL a
LIKE prefix needs a pattern_ops index (the database's collation is not C), added here, so that
no arm of the search's OR reads the whole table. And an index serving `email__iexact`, the
personal-data register's lookup of a person's rows by address (textindex.iexact_migration)."""

from django.db import migrations

from coproduce.lib import textindex

EMAIL_INDEX = "community_associate_email_like"


def _email_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX "{EMAIL_INDEX}" ON "community_associate" ("email" varchar_pattern_ops)'
        )


def _drop_email_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{EMAIL_INDEX}"')


class Migration(migrations.Migration):
    dependencies = [("community", "0007_link_contacts")]

    operations = [
        textindex.migration("community_associate", ("full_name", "organisation")),
        migrations.RunPython(_email_index, _drop_email_index, elidable=False),
        # A person's record finds their associate rows by `email__iexact`.
        textindex.iexact_migration("community_associate", "email"),
    ]
