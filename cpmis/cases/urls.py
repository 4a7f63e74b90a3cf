from django.urls import path

from . import api

app_name = "cases"
api_urlpatterns = [
    path("", api.CaseListCreate.as_view(), name="cases"),
    path("<str:uuid>/", api.CaseDetail.as_view(), name="case"),
    path("<str:uuid>/<slug:action>/", api.CaseAction.as_view(), name="case-action"),
]
task_api_urlpatterns = [path("", api.TaskList.as_view(), name="tasks")]
