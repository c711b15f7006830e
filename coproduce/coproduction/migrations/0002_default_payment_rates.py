"""Default payment rates for public contributors, editable by managers afterwards.

Starting values only: managers check them against the current NIHR payment guidance and
change them on the rates page.
"""

from decimal import Decimal

from django.db import migrations

GUIDANCE = "NIHR Payment guidance for researchers and professionals involving people in research"

RATES = [
    ("Involvement, hourly", "hour", Decimal("25.00")),
    ("Meeting or workshop, half day", "half_day", Decimal("75.00")),
    ("Meeting or workshop, full day", "day", Decimal("150.00")),
    ("Document review", "activity", Decimal("25.00")),
]


def add_rates(apps, schema_editor):
    PaymentRate = apps.get_model("coproduction", "PaymentRate")
    for name, unit, amount in RATES:
        PaymentRate.objects.get_or_create(
            name=name, defaults={"unit": unit, "amount": amount, "guidance": GUIDANCE}
        )


class Migration(migrations.Migration):
    dependencies = [("coproduction", "0001_initial")]

    operations = [migrations.RunPython(add_rates, migrations.RunPython.noop)]
