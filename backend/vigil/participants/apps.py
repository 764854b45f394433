from django.apps import AppConfig


class ParticipantsConfig(AppConfig):
    name = "vigil.participants"
    label = "participants"
