from django.apps import AppConfig


class CoproductionConfig(AppConfig):
    name = "coproduce.coproduction"
    label = "coproduction"
    verbose_name = "Co-production records"

    def ready(self) -> None:
        from coproduce.contacts.roles import Role
        from coproduce.contacts.roles import register as register_role

        register_role(
            Role(
                "coproduction.Participant",
                "Participant in co-production sources",
                email="email",
                name="full_name",
                key="participant",
                study="study_id",
            )
        )
        register_role(
            Role(
                "coproduction.Contributor",
                "Involvement contributor (paid)",
                email="email",
                name="full_name",
                key="contributor",
                study="activities__study_id",
            )
        )
        from coproduce.coproduction import personal_data

        personal_data.declare()
        from coproduce.coproduction.access import is_broker
        from coproduce.coproduction.home import your_time
        from coproduce.coproduction.records import KINDS
        from coproduce.staff.navigation import register_section
        from coproduce.staff.records import register

        register_section(
            "coproduction",
            "Co-production",
            "coproduction:home",
            area="involvement",
            your_work=(your_time,),
            # Diffusion fellows and researchers in residence without a staff role log here.
            without_staff_role=lambda user: (
                ("Co-production", "coproduction:home") if is_broker(user) else None
            ),
        )
        register_section(
            "time_used", "Secondment time used", "coproduction:time_used", area="reports"
        )
        register_section(
            "compromise_analysis", "Compromises analysed", "coproduction:analysis", area="reports"
        )
        register(*KINDS)
