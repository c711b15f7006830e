from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "coproduce.events"
    label = "events"
    verbose_name = "Events: conferences, roadshows, seminars and CoP meetings"

    def ready(self) -> None:
        from coproduce.comms import scheduler
        from coproduce.events.reminders import queue_due_reminders
        from coproduce.staff.navigation import register_section

        scheduler.register("event reminders", queue_due_reminders)
        register_section("events", "Events", "events_staff:list")
