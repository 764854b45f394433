from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vigil.core"
    label = "core"

    def ready(self) -> None:
        from vigil.core import bulk, schema  # noqa: F401  (register the `any_of` lookup and the OpenAPI auth extension)
