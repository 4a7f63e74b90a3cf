from django.urls import path

from . import api, views

app_name = "oversight"
urlpatterns = [
    path("", views.index, name="index"),
    path("activities/", views.activity_list, name="activities"),
    path("activities/new", views.activity_new, name="activity-new"),
    path("activities/<int:pk>/", views.activity_detail, name="activity"),
    path("legal-requests/", views.legal_request_list, name="legal-requests"),
    path("legal-requests/new", views.legal_request_new, name="legal-request-new"),
    path("legal-requests/<int:pk>/", views.legal_request_detail, name="legal-request"),
    path("recommendations/", views.recommendation_list, name="recommendations"),
    path("recommendations/new", views.recommendation_new, name="recommendation-new"),
    path("recommendations/<int:pk>/", views.recommendation_detail, name="recommendation"),
    path("recommendations/<int:pk>/edit", views.recommendation_edit, name="recommendation-edit"),
    path(
        "recommendations/<int:pk>/assignments",
        views.assignment_set,
        name="assignment-set",
    ),
    path("assignments/<int:pk>/report", views.assignment_report, name="assignment-report"),
]
api_urlpatterns = [
    path("activities/", api.ActivityList.as_view(), name="activities"),
    path("activities/<int:pk>/", api.ActivityDetail.as_view(), name="activity"),
    path("legal-requests/", api.LegalRequestList.as_view(), name="legal-requests"),
    path("legal-requests/<int:pk>/", api.LegalRequestDetail.as_view(), name="legal-request"),
    path("recommendations/", api.RecommendationList.as_view(), name="recommendations"),
    path("recommendations/<int:pk>/", api.RecommendationDetail.as_view(), name="recommendation"),
    path(
        "recommendations/<int:pk>/assignments/",
        api.AssignmentSet.as_view(),
        name="assignments",
    ),
    path("assignments/<int:pk>/reports/", api.AssignmentReport.as_view(), name="reports"),
]
