from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "vigil.care"
    label = "care"
    verbose_name = "Services and referrals"
