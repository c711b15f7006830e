from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "coproduce.registry"
    label = "registry"
    verbose_name = "Registry: organisations, themes, studies and people"

    def ready(self) -> None:
        from coproduce.contacts.roles import Role
        from coproduce.contacts.roles import register as register_role

        register_role(
            Role(
                "registry.Person",
                "Person in the registry",
                email="email",
                name="full_name",
                organisation="organisation__name",
                key="person",
                study="roles__study_id",
                url="staff:person_detail",
            )
        )
        from coproduce.registry import personal_data

        personal_data.declare()
