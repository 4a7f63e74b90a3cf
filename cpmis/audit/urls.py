from django.urls import path

from . import api, views

app_name = "audit"
urlpatterns = [
    path("", views.audit_event_list, name="list"),
]
api_urlpatterns = [path("events/", api.AuditEventList.as_view(), name="api-events")]
