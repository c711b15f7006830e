from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "coproduce.security"
    label = "security"
    verbose_name = "Sign-in security"

    def ready(self) -> None:
        from django.contrib import admin
        from django.core import checks

        from coproduce.security import personal_data, sessions  # noqa: F401  (connects the signal receivers)
        from coproduce.security.secretkey import check_secret_key
        from coproduce.security.views import ThrottledAdminAuthenticationForm

        personal_data.declare()
        checks.register(check_secret_key, checks.Tags.security, deploy=True)
        # Django admin's sign-in page checks passwords too: the same throttle applies there.
        admin.site.login_form = ThrottledAdminAuthenticationForm
