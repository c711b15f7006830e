from django.apps import AppConfig


class ImplementationConfig(AppConfig):
    name = "coproduce.implementation"
    label = "implementation"
    verbose_name = "Implementation and evaluation"

    def ready(self) -> None:
        from coproduce.comms import scheduler
        from coproduce.implementation.network import refresh as refresh_network
        from coproduce.implementation.services import queue_overdue_nudges
        from coproduce.staff.navigation import register_section

        scheduler.register("overdue recommendations", queue_overdue_nudges)
        scheduler.register("collaboration network", refresh_network)
        register_section("implementation", "Implementation", "implementation:overview")
