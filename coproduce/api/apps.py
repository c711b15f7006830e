from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "coproduce.api"
    label = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        from coproduce.staff.navigation import register_section

        register_section("api_tokens", "API tokens", "api_tokens:list", area="reports")
