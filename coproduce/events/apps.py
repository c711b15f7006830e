from typing import Any

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "coproduce.events"
    label = "events"
    verbose_name = "Events: conferences, roadshows, seminars and CoP meetings"

    def ready(self) -> None:
        from coproduce.contacts.roles import Role
        from coproduce.contacts.roles import register as register_role

        register_role(
            Role(
                "events.Booking",
                "Event booker",
                email="email",
                name="full_name",
                select_related=("event",),
            )
        )
        from coproduce.comms import invitations, scheduler
        from coproduce.events import invitations as event_invitations
        from coproduce.events.reminders import queue_due_reminders
        from coproduce.lib.personaldata import (
            Erasure,
            Rule,
            by,
            declare_not_personal,
            register,
        )
        from coproduce.staff.navigation import register_section

        scheduler.register("event reminders", queue_due_reminders)
        invitations.register(
            choosable=event_invitations.choosable, details=event_invitations.details
        )
        register(
            Rule(
                "events.Booking",
                ("full_name", "email", "access_needs"),
                by(
                    email=["email"], keys=[("associate", "associate_id"), ("contact", "contact_id")]
                ),
                Erasure.CUSTOM,
                "Name, address and access needs blanked; places at events still to come are "
                "freed (the waiting list moves up) and reminders stop; attendance counts stay.",
                purpose="Booking places at events, access needs, reminders, attendance",
                who_sees="Staff of the collaboration (event bookings); the booker by their link",
                retention="As long as the event's record",
                eraser=_forget_bookings,
                name_fields=("full_name",),
                identity=("email", "full_name", None),
                repoint=("associate", "associate_id"),
            )
        )
        declare_not_personal(
            "events.Event", "An event: its address is the venue's, its people are bookings"
        )
        register_section("events", "Events", "events_staff:list", area="events")


def _forget_bookings(subject: Any, rows: Any, at: Any, by: Any) -> int:
    from coproduce.events.services import forget_person

    # Bookings under each of their addresses, and those found through the contact under an
    # address the subject does not list (merged into it) too.
    others = sorted({e for e in rows.values_list("email", flat=True) if e} - set(subject.emails))
    done = 0
    for email in subject.emails:
        done += forget_person(email, None, at)
    for associate_id in sorted(subject.ids("associate")):
        done += forget_person(None, associate_id, at)
    for email in others:
        done += forget_person(email, None, at)
    return done
