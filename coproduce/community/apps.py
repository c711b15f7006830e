from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "coproduce.community"
    label = "community"
    verbose_name = "Communities of practice and associates"

    def ready(self) -> None:
        from coproduce.contacts.roles import Role
        from coproduce.contacts.roles import register as register_role

        register_role(
            Role(
                "community.Associate",
                "Associate",
                email="email",
                name="full_name",
                organisation="organisation",
                key="associate",
                url="associates_staff:detail",
            )
        )
        from coproduce.community import (
            personal_data,
            signals,  # noqa: F401 - connects the receivers
        )
        from coproduce.staff.navigation import register_section

        register_section(
            "associates", "Associates", "associates_staff:directory", area="communities"
        )
        personal_data.declare()
        from coproduce.community.models import CommunityOfPractice
        from coproduce.staff.lookup import Lookup
        from coproduce.staff.lookup import register as register_lookup

        # 3,000 communities at national scale: staff forms ask for one by typing its name.
        register_lookup(
            Lookup(
                "communities",
                CommunityOfPractice.objects.all,
                plural="communities",
                singular="community",
            )
        )
        register_section(
            "cops", "Communities of practice", "community_staff:list", area="communities"
        )
