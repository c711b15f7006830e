from django.apps import AppConfig


class ContactsConfig(AppConfig):
    """One contact per person (coproduce/contacts/roles.py). In the base, below the registry:
    it imports only lib and audit; the apps holding roles register them from their own
    AppConfig.ready."""

    name = "coproduce.contacts"
    label = "contacts"
    verbose_name = "Contacts: one record per person across every role"

    def ready(self) -> None:
        from coproduce.contacts import personal_data, roles

        roles.connect()
        personal_data.declare()
