from django.apps import AppConfig


class OperationsConfig(AppConfig):
    """Running an installation: `serve`, `worker`, `backup`, `restore`, `status` and
    `movetopostgres`. No models and no pages; it sits above the domain apps (it reads the
    outbox and sign-in failures for `status`, runs the clock for `worker`) and nothing
    imports it."""

    name = "coproduce.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from coproduce.operations import checks  # noqa: F401 - registers the deploy checks
