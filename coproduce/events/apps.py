from typing import Any

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "coproduce.events"
    label = "events"
    verbose_name = "Events: conferences, roadshows, seminars and CoP meetings"

    def ready(self) -> None:
        from coproduce.comms import invitations, scheduler
        from coproduce.community import services
        from coproduce.community.models import Associate
        from coproduce.events import invitations as event_invitations
        from coproduce.events.reminders import queue_due_reminders
        from coproduce.staff.navigation import register_section

        scheduler.register("event reminders", queue_due_reminders)
        invitations.register(
            choosable=event_invitations.choosable, details=event_invitations.details
        )
        services.associate_erased.connect(
            _forget_bookings, sender=Associate, dispatch_uid="events.forget_bookings"
        )
        register_section("events", "Events", "events_staff:list", area="events")


def _forget_bookings(sender: Any, associate: Any, at: Any, **kwargs: Any) -> None:
    from coproduce.events.services import forget_person

    forget_person(associate.email, associate.pk, at)
