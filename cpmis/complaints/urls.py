from django.urls import path

from . import api, views

app_name = "complaints"
# Staff pages, under /complaints/.
urlpatterns = [
    path("", views.queue, name="queue"),
    path("new/", views.register, name="register"),
    path("box/", views.box_batch, name="box"),
    path("export.csv", views.export_csv, name="export"),
    path("find/", views.find_by_code, name="find"),
    path("<str:uuid>/", views.complaint_page, name="complaint"),
    path("<str:uuid>/act/<slug:action>/", views.complaint_action, name="action"),
]
# The public pages, under /complaint/ (no account).
public_urlpatterns = [
    path("", views.complaint_form, name="form"),
    path("status/", views.complaint_status, name="status"),
    path("acknowledgement/", views.complaint_acknowledgement, name="acknowledgement"),
]
api_urlpatterns = [
    path("", api.ComplaintListCreate.as_view(), name="complaints"),
    path("box/", api.BoxBatch.as_view(), name="box"),
    path("settings/triage-time/", api.TriageTimeSetting.as_view(), name="triage-time"),
    path("<str:uuid>/", api.ComplaintDetail.as_view(), name="complaint"),
    path("<str:uuid>/matches/", api.ComplaintMatches.as_view(), name="matches"),
    # one route per action, so that the schema gives each its own input
    *(
        path(
            f"<str:uuid>/{action}/",
            api.ComplaintAction.as_view(action_name=action),
            name=f"action-{action}",
        )
        for action in api.ACTIONS
    ),
]
