from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo site and its records (`vigil_demo`): the top layer, it may use every app."""

    name = "vigil.demo"
    label = "demo"
