from django.apps import AppConfig


class ArchiverConfig(AppConfig):
    name = "archiver"
