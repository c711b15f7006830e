from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "coproduce.registry"
    label = "registry"
    verbose_name = "Registry: organisations, themes, studies and people"

    def ready(self) -> None:
        from coproduce.registry.records import KINDS
        from coproduce.staff.records import register

        register(*KINDS)
