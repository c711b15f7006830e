from django.apps import AppConfig


class QualitativeConfig(AppConfig):
    name = "coproduce.qualitative"
    label = "qualitative"
    verbose_name = "Qualitative evidence"

    def ready(self) -> None:
        from coproduce.qualitative import personal_data
        from coproduce.staff.navigation import register_section

        register_section(
            "qualitative", "Qualitative analysis", "qualitative:home", area="involvement"
        )
        personal_data.declare()
