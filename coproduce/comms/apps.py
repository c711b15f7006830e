from django.apps import AppConfig


class CommsConfig(AppConfig):
    name = "coproduce.comms"
    label = "comms"
    verbose_name = "Communications: mailings, outbox, unsubscribe and bounces"

    def ready(self) -> None:
        from coproduce.comms import (
            personal_data,
            signals,  # noqa: F401 - connects the receivers
        )
        from coproduce.comms.outbox import queue_message
        from coproduce.security import mail
        from coproduce.staff.navigation import register_section

        # The sign-in unlock link leaves through the outbox (security sits below comms).
        mail.register(queue_message)

        personal_data.declare()
        # Storage limitation: the retention jobs run on the worker's clock.
        from coproduce.comms import retention, scheduler

        for name, job in retention.JOBS.items():
            scheduler.register(name, job)
        # Rows written without save() (bulk imports) get their contact on the next tick.
        from coproduce.contacts.roles import link_unlinked

        scheduler.register("contacts: attach new rows", link_unlinked)
        # Stored figures read out of date, and those kept ready, are computed again.
        from coproduce import figures

        scheduler.register("stored figures", figures.refresh)
        register_section("mailings", "Mailings", "comms_staff:list", area="communities")
