"""GRIPP2 reports follow the published checklists (coproduction/data/gripp2.toml).

Adds the chosen form (short or long) and the items marked "not reported". The short form's
answers keep their columns (aim, methods, results, outcomes, critical_reflection are the
published items 1 to 5). The long form's answers, a JSON object keyed by the old section names,
are re-keyed by published item number: each old answer goes to the item that asks for what
the old section asked for, and where several old sections meet in one item their texts are
joined, in the old order, with a blank line between them. Nothing is dropped: a key this
migration does not know is kept as it is.
"""

from django.db import migrations, models

# old long-form key -> published long-form item number
OLD_TO_NEW = {
    "abstract": "1a",  # the old single "Abstract" answer; the team can split it into 1a-1e
    "definition": "2a",
    "rationale": "2b",
    "concepts": "2c",
    "aim": "3",
    "methods": "4a",
    "stages": "4c",
    "people": "4d",  # labelled "Level or nature of involvement" on the old page
    "capture": "5a",  # "Capturing or measuring impact"
    "economic": "6",
    "results": "7",
    "impacts": "7",
    "assessment": "7",  # "Qualitative or quantitative assessment of impact" (results)
    "discussion": "8",
    "conclusions": "8",
    "reflections": "9",
}


def rekey(long_form: dict, mapping: dict) -> dict:
    out: dict = {}
    # In the old sections' order (the mapping's), never the stored order: PostgreSQL's jsonb
    # keeps keys sorted, so "impacts" would come before "results" there.
    position = {key: index for index, key in enumerate(mapping)}
    ordered = sorted(long_form.items(), key=lambda item: position.get(item[0], len(position)))
    for old, text in ordered:
        new = mapping.get(old, old)
        text = text if isinstance(text, str) else str(text)
        if new in out and out[new] and text:
            out[new] = f"{out[new]}\n\n{text}"
        elif new not in out or text:
            out[new] = text
    return out


def forwards(apps, schema_editor):
    Gripp2Report = apps.get_model("coproduction", "Gripp2Report")
    for report in Gripp2Report.objects.all():
        report.long_form = rekey(report.long_form or {}, OLD_TO_NEW)
        report.save(update_fields=["long_form"])


def backwards(apps, schema_editor):
    new_to_old: dict = {}
    for old, new in OLD_TO_NEW.items():
        new_to_old.setdefault(new, old)
    Gripp2Report = apps.get_model("coproduction", "Gripp2Report")
    for report in Gripp2Report.objects.all():
        report.long_form = rekey(report.long_form or {}, new_to_old)
        report.save(update_fields=["long_form"])


class Migration(migrations.Migration):
    dependencies = [
        ("coproduction", "0002_default_payment_rates"),
    ]

    operations = [
        migrations.AddField(
            model_name="gripp2report",
            name="form",
            field=models.CharField(
                choices=[("short", "Short form"), ("long", "Long form")],
                default="short",
                max_length=5,
                verbose_name="checklist",
            ),
        ),
        migrations.AddField(
            model_name="gripp2report",
            name="not_reported",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(forwards, backwards),
    ]
