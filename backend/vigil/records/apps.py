from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """The record kit: what every record of the floor shares (replay, versions, voiding, audit,
    recompute of the site-days a write touches)."""

    name = "vigil.records"
    label = "records"
