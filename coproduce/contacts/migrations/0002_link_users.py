"""Every sign-in account gets its contact (by its normalised address, else one of its own)."""

from django.db import migrations


def link_users(apps, schema_editor):
    from coproduce.lib.identifiers import normalise_email

    Contact = apps.get_model("contacts", "Contact")
    User = apps.get_model("auth", "User")
    linked = set(Contact.objects.filter(user__isnull=False).values_list("user_id", flat=True))
    for user in User.objects.exclude(pk__in=linked).order_by("pk").iterator():
        email = normalise_email(user.email)
        if email.endswith("@erased.invalid"):
            email = ""
        name = f"{user.first_name} {user.last_name}".strip() or user.username
        contact = Contact.objects.filter(email=email, user__isnull=True).first() if email else None
        if contact is None and email and Contact.objects.filter(email=email).exists():
            email = ""  # the address's contact has another account: this one gets its own
        if contact is None:
            contact = Contact.objects.create(email=email, full_name=name[:200])
        contact.user_id = user.pk
        contact.save(update_fields=["user"])


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(link_users, migrations.RunPython.noop)]
