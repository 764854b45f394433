from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vigil.core"
    label = "core"

    def ready(self) -> None:
        from vigil.core import schema  # noqa: F401  (registers the OpenAPI auth extension)
