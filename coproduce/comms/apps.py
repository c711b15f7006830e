from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "coproduce.comms"
    label = "comms"
    verbose_name = "Communications: mailings, outbox, unsubscribe and bounces"

    def ready(self) -> None:
        from coproduce.comms import signals  # noqa: F401 - connects the receivers
        from coproduce.comms.outbox import queue_message
        from coproduce.security import mail
        from coproduce.staff.navigation import register_section

        # The sign-in unlock link leaves through the outbox (security sits below comms).
        mail.register(queue_message)

        register_section("mailings", "Mailings", "comms_staff:list", area="communities")
