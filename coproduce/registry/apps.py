from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "coproduce.registry"
    label = "registry"
    verbose_name = "Registry: organisations, themes, studies and people"

    def ready(self) -> None:
        from coproduce.registry import personal_data

        personal_data.declare()
