from django.urls import path

from . import api, views

app_name = "cases"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("tasks/", views.tasks, name="tasks"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("unassigned/", views.unassigned, name="unassigned"),
    path("transfers/", views.transfers, name="transfers"),
    path("new/", views.case_open, name="open"),
    path("<str:uuid>/", views.case_page, name="case"),
    path("<str:uuid>/act/<slug:action>/", views.case_action, name="action"),
    path("<str:uuid>/events/<int:event_id>/correct/", views.event_correct, name="event-correct"),
    path("<str:uuid>/transfer-decision/", views.transfer_decide, name="transfer-decide"),
]
api_urlpatterns = [
    path("", api.CaseListCreate.as_view(), name="cases"),
    path("<str:uuid>/", api.CaseDetail.as_view(), name="case"),
    path(
        "<str:uuid>/events/<int:event_id>/correct/",
        api.EventCorrect.as_view(),
        name="event-correct",
    ),
    # one route per action, so that the schema gives each its own input
    *(
        path(
            f"<str:uuid>/{action}/",
            api.CaseAction.as_view(action_name=action),
            name=f"action-{action}",
        )
        for action in api.ACTIONS
    ),
]
task_api_urlpatterns = [path("", api.TaskList.as_view(), name="tasks")]
institution_api_urlpatterns = [
    path("", api.InstitutionListCreate.as_view(), name="institutions"),
]
transfer_api_urlpatterns = [
    path("", api.TransferList.as_view(), name="transfers"),
    path("<str:uuid>/decision/", api.TransferDecision.as_view(), name="transfer-decision"),
]
