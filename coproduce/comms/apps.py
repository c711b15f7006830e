from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "coproduce.comms"
    label = "comms"
    verbose_name = "Communications: mailings, outbox, unsubscribe and bounces"

    def ready(self) -> None:
        from coproduce.comms import signals  # noqa: F401 - connects the receivers
        from coproduce.staff.navigation import register_section

        register_section("mailings", "Mailings", "comms_staff:list")
