from django.urls import path

from . import api, views

app_name = "exchange"
urlpatterns = [
    path("standard/", views.standard_index, name="standard"),
    path("standard/<slug:name>/", views.record_type_page, name="record-type"),
    path("standard/<slug:name>/v<int:major>.json", views.schema_json, name="schema"),
    path("standard/<slug:name>/v<int:major>.csv", views.template_csv, name="template-csv"),
    path("standard/<slug:name>/v<int:major>.xlsx", views.template_xlsx, name="template-xlsx"),
    path("submit/", views.submit, name="submit"),
    path("submissions/", views.submission_list, name="submissions"),
    path("submissions/<str:uuid>/", views.submission_page, name="submission"),
    path("submissions/<str:uuid>/<slug:kind>.csv", views.error_report, name="report"),
]
api_urlpatterns = [
    path("record-types/", api.RecordTypeList.as_view(), name="record-types"),
    path("record-types/<slug:name>/v<int:major>/", api.RecordTypeSchema.as_view(), name="schema"),
    path("submissions/", api.SubmissionListCreate.as_view(), name="submissions"),
    path("submissions/<str:uuid>/", api.SubmissionDetail.as_view(), name="submission"),
]
