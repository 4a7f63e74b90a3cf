from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "cpmis.linkage"
    label = "linkage"
    verbose_name = "Record linkage"
