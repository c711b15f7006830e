from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "coproduce.governance"
    label = "governance"
    verbose_name = "Governance: panels, committees, protocol reviews and annual reviews"

    def ready(self) -> None:
        from coproduce.governance import personal_data

        personal_data.declare()
        from coproduce.comms import scheduler
        from coproduce.governance import signals  # noqa: F401 - connects the receivers
        from coproduce.governance.access import lay_menu
        from coproduce.governance.annual import queue_annual_review_reminders
        from coproduce.governance.home import reviews_of_your_studies, rules_broken, your_reviews
        from coproduce.governance.records import KINDS
        from coproduce.staff.navigation import register_section
        from coproduce.staff.records import register

        scheduler.register("annual scientific review reminders", queue_annual_review_reminders)
        from coproduce.governance.breaches import define_figures

        define_figures()
        register_section(
            "governance",
            "Governance",
            "governance:dashboard",
            area="governance",
            without_staff_role=lay_menu,  # a lay panel member: their panels
            home_without_staff_role=True,  # and the staff home sends them there
            your_work=(your_reviews, reviews_of_your_studies, rules_broken),
        )
        register(*KINDS)
