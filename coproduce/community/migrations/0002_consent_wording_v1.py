"""The first published wording of each consent question (version 1)."""

import hashlib

from django.db import migrations

WORDING = {
    "engage": (
        "Send me the Engage newsletter by email, twice a year: news of our studies, "
        "communities of practice and findings. I can stop this at any time using the link "
        "in every email."
    ),
    "briefing": (
        "Send me the monthly briefing by email: short updates on research, events and "
        "opportunities to get involved. I can stop this at any time using the link in every email."
    ),
    "events": (
        "Invite me by email to events: the annual conference, roadshows, seminars and "
        "meetings of the communities of practice I belong to. I can stop this at any time "
        "using the link in every email."
    ),
}


def publish(apps, schema_editor):
    ConsentWording = apps.get_model("community", "ConsentWording")
    for channel, text in WORDING.items():
        if not ConsentWording.objects.filter(channel=channel).exists():
            ConsentWording.objects.create(
                channel=channel,
                version=1,
                text=text,
                sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
            )


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]

    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
