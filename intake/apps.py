from django.apps import AppConfig


class IntakeConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "intake"

    def ready(self) -> None:
        from intake import checks, receivers  # noqa: F401 (registers checks, connects receivers)
