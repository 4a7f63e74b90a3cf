from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "cpmis.people"
    label = "people"
    verbose_name = "People registry"
