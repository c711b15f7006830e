from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "coproduce.pages"
    label = "pages"
    verbose_name = "Public pages and enquiries"

    def ready(self) -> None:
        from coproduce.contacts.roles import Role
        from coproduce.contacts.roles import register as register_role

        register_role(
            Role(
                "pages.Enquiry", "Enquirer", email="email", name="name", organisation="organisation"
            )
        )
        from coproduce.pages import personal_data

        personal_data.declare()
