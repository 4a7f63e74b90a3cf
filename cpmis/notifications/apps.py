from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "cpmis.notifications"
    label = "notifications"
    verbose_name = "Notifications"
