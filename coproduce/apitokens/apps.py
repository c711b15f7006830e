from django.apps import AppConfig


class ApiTokensConfig(AppConfig):
    """Staff API tokens and the bearer check. In the base layer: the API and comms's bounce
    endpoint check tokens here; the staff pages that issue and revoke them are the api app's."""

    name = "coproduce.apitokens"
    label = "apitokens"
    verbose_name = "Staff API tokens"

    def ready(self) -> None:
        from coproduce.apitokens import personal_data

        personal_data.declare()
