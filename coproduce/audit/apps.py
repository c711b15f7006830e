from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "coproduce.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from coproduce.audit import personal_data

        personal_data.declare()
