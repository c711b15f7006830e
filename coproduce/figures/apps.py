from django.apps import AppConfig


class FiguresConfig(AppConfig):
    """Stored derived figures (coproduce/figures/__init__.py): the staff analytics that cost
    seconds at national scale, kept as rows and brought up to date by the worker's clock."""

    name = "coproduce.figures"
    label = "figures"
    verbose_name = "Stored figures"

    def ready(self) -> None:
        from coproduce.figures import personal_data

        personal_data.declare()
