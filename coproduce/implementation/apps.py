from django.apps import AppConfig


class ImplementationConfig(AppConfig):
    name = "coproduce.implementation"
    label = "implementation"
    verbose_name = "Implementation and evaluation"

    def ready(self) -> None:
        from coproduce.implementation import personal_data

        personal_data.declare()
        from coproduce.comms import scheduler
        from coproduce.implementation.home import overdue_recommendations
        from coproduce.implementation.records import KINDS
        from coproduce.implementation.services import queue_overdue_nudges
        from coproduce.implementation.tasks import queue_network_run_if_due
        from coproduce.staff.navigation import register_section
        from coproduce.staff.records import register

        scheduler.register("overdue recommendations", queue_overdue_nudges)
        scheduler.register("collaboration network", queue_network_run_if_due)
        from coproduce.implementation.evaluation import define_figures

        define_figures()
        register_section(
            "implementation",
            "Implementation",
            "implementation:overview",
            area="implementation",
            your_work=(overdue_recommendations,),
        )
        register_section(
            "implementation_matrix",
            "Implementation matrix",
            "implementation:matrix",
            area="reports",
        )
        register(*KINDS)
        from coproduce.implementation.outputs import organisation_outputs, person_outputs
        from coproduce.staff.records import add_detail_section

        # The other end of an output's links to people and partner organisations.
        add_detail_section("person", "outputs", person_outputs)
        add_detail_section("organisation", "outputs", organisation_outputs)
        from coproduce.implementation.outputs_views import study_outputs
        from coproduce.registry import study_sections

        study_sections.register(
            "outputs", "implementation/public/study_outputs.html", study_outputs
        )
