from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "coproduce.pages"
    label = "pages"
    verbose_name = "Public pages and enquiries"

    def ready(self) -> None:
        from coproduce.pages import personal_data

        personal_data.declare()
