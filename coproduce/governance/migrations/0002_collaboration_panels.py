"""The four collaboration-wide bodies, and a steering committee for every existing study."""

from django.db import migrations

PANELS = [
    (
        "commissioners",
        "commissioners-panel",
        "Commissioners' panel",
        "Representatives of partner organisations. Checks each protocol's relevance to NHS, "
        "social care and commissioning priorities.",
    ),
    (
        "service_users",
        "service-user-and-carer-panel",
        "Service user and carer panel",
        "Reviews every study from the service user and carer perspective: burden, "
        "accessibility and what matters to people who use services.",
    ),
    (
        "scientific",
        "scientific-committee",
        "Scientific committee",
        "Externally appointed experts and external peer reviewers. Reviews each study's "
        "methodology, and whether implementation is actively prioritised, every year.",
    ),
    ("board", "board", "Board", "Representatives of all partners; governs the collaboration."),
]


def forwards(apps, schema_editor):
    Panel = apps.get_model("governance", "Panel")
    Study = apps.get_model("registry", "Study")
    for kind, slug, name, remit in PANELS:
        Panel.objects.get_or_create(kind=kind, defaults={"slug": slug, "name": name, "remit": remit})
    for study in Study.objects.all():
        Panel.objects.get_or_create(
            kind="steering",
            study=study,
            defaults={
                "slug": f"steering-{study.slug}"[:140],
                "name": f"Steering committee: {study.acronym or study.title}"[:200],
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0001_initial"),
        ("registry", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
