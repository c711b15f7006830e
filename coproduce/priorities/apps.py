from django.apps import AppConfig


class PrioritiesConfig(AppConfig):
    name = "coproduce.priorities"
    label = "priorities"
    verbose_name = "Priority setting: consultations, indicative questions, rankings"

    def ready(self) -> None:
        from coproduce.contacts.roles import Role
        from coproduce.contacts.roles import register as register_role

        register_role(
            Role(
                "priorities.Invitation",
                "Invited respondent (priority setting)",
                email="email",
                name="full_name",
                key="invitation",
            )
        )
        from coproduce.priorities import personal_data

        personal_data.declare()
        from coproduce.comms import scheduler
        from coproduce.priorities.invitations import queue_due_reminders
        from coproduce.priorities.records import KINDS
        from coproduce.staff.navigation import register_section
        from coproduce.staff.records import register

        scheduler.register("consultation reminders", queue_due_reminders)
        register_section(
            "priorities", "Priority setting", "priorities_staff:list", area="priorities"
        )
        register(*KINDS)
