from django.apps import AppConfig


class PagesConfig(AppConfig):
    name = "coproduce.pages"
    label = "pages"
    verbose_name = "Public pages and enquiries"
