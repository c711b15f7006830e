from django.apps import AppConfig


class FundingConfig(AppConfig):
    name = "coproduce.funding"
    label = "funding"
    verbose_name = "Funding and capacity"

    def ready(self) -> None:
        from coproduce.funding import personal_data
        from coproduce.funding.records import KINDS
        from coproduce.funding.rules import fellows_near_cap, posts_being_recruited
        from coproduce.governance import breaches
        from coproduce.staff.navigation import register_section
        from coproduce.staff.records import register

        personal_data.declare()
        register_section("funding", "Funding", "funding:overview", area="governance")
        register(*KINDS)
        breaches.register(fellows_near_cap)
        breaches.register(posts_being_recruited)
