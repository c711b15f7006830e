from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "coproduce.api"
    label = "api"
    verbose_name = "JSON API"

    def ready(self) -> None:
        from coproduce.api import personal_data
        from coproduce.comms import scheduler
        from coproduce.staff.navigation import register_section
        from coproduce.webhooks.outbox import enqueue_due

        personal_data.declare()
        register_section("api_tokens", "API tokens", "api_tokens:list", area="reports")
        # A delivery whose task was lost (a killed worker) is queued again by the clock.
        scheduler.register("webhook recovery", enqueue_due)
