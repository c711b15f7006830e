from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Webhook subscriptions and their outbox of deliveries. In the base layer, beside the API
    tokens, so that every domain app can `emit()` an event; the staff pages that manage
    subscriptions, and the worker's recovery job, are the api app's."""

    name = "coproduce.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from coproduce.webhooks import personal_data

        personal_data.declare()
