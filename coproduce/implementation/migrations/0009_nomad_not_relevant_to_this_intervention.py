"""NoMAD option B's third response is "not relevant to this intervention" (Rapley et al., BMC
Med Res Methodol 2018;18:133), not "not relevant to my organisation" as shipped before.

Every instrument that offers the old response gets the published one in its place (same
position), and the answers stored under it move with it: they were the instrument's third
"not relevant" choice, shown with the wrong words. Backwards: the old key and label return.
"""

from django.db import migrations

OLD = {"key": "organisation", "label": "Not relevant to my organisation"}
NEW = {"key": "intervention", "label": "Not relevant to this intervention"}


def _swap(apps, before, after):
    Instrument = apps.get_model("implementation", "Instrument")
    Score = apps.get_model("implementation", "Score")
    for instrument in Instrument.objects.all():
        options = list(instrument.not_relevant_options or [])
        if before not in options:
            continue
        instrument.not_relevant_options = [after if o == before else o for o in options]
        instrument.save(update_fields=["not_relevant_options"])
        Score.objects.filter(
            item__construct__instrument=instrument, not_relevant=before["key"]
        ).update(not_relevant=after["key"])


def forwards(apps, schema_editor):
    _swap(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _swap(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("implementation", "0008_links_to_compromises"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
