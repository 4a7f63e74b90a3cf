from django.urls import URLPattern, path

from . import api, views

app_name = "jobs"

urlpatterns: list[URLPattern] = [
    path("", views.job_list, name="list"),
    path("queue/", views.queue, name="queue"),
    path("queue/<slug:name>/run", views.run_now, name="run-now"),
    path("<int:job_id>/", views.job_page, name="job"),
    path("<int:job_id>/result", views.job_result, name="result"),
    path("<int:job_id>/cancel", views.job_cancel, name="cancel"),
]

api_urlpatterns: list[URLPattern] = [
    path("", api.JobList.as_view(), name="list"),
    path("<int:job_id>/", api.JobDetail.as_view(), name="detail"),
    path("<int:job_id>/result", api.JobResult.as_view(), name="result"),
    path("<int:job_id>/cancel", api.JobCancel.as_view(), name="cancel"),
]
