from django.apps import AppConfig


class CoproductionConfig(AppConfig):
    name = "coproduce.coproduction"
    label = "coproduction"
    verbose_name = "Co-production records"

    def ready(self) -> None:
        from coproduce.staff.navigation import register_section

        register_section("coproduction", "Co-production", "coproduction:home")
