from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "coproduce.security"
    label = "security"
    verbose_name = "Sign-in security"

    def ready(self) -> None:
        from coproduce.security import sessions  # noqa: F401  (connects the signal receivers)
