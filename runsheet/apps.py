from django.apps import AppConfig


class RunsheetConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "runsheet"
    verbose_name = "Run-sheet"

    def ready(self) -> None:
        from runsheet import receivers  # noqa: F401 (connects the signal receivers)
