from django.urls import path

from . import api, views

app_name = "legal"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("statutes/<slug:code>/", views.statute_detail, name="statute"),
    path("provisions/<int:pk>/", views.provision_detail, name="provision"),
    path("matrix/", views.matrix, name="matrix"),
    path("matrix.<str:export>", views.matrix, name="matrix-export"),
    path("matrix/gaps/", views.matrix_gaps, name="matrix-gaps"),
    path("matrix/gaps.<str:export>", views.matrix_gaps, name="matrix-gaps-export"),
    path("rules/", views.rules, name="rules"),
]
api_urlpatterns = [
    path("statutes/", api.StatuteList.as_view(), name="statutes"),
    path("provisions/", api.ProvisionListCreate.as_view(), name="provisions"),
    path("provisions/<int:pk>/", api.ProvisionDetail.as_view(), name="provision"),
    path("provisions/<int:pk>/amend/", api.ProvisionAmend.as_view(), name="provision-amend"),
    path("provisions/<int:pk>/penalty/", api.ProvisionPenalty.as_view(), name="provision-penalty"),
    path("sentence-check/", api.SentenceCheck.as_view(), name="sentence-check"),
    path("articles/", api.ArticleList.as_view(), name="articles"),
    path("compliance-matrix/", api.ComplianceMatrix.as_view(), name="matrix"),
    path("compliance-links/", api.ComplianceLinkCreate.as_view(), name="link-create"),
    path("compliance-links/<int:pk>/", api.ComplianceLinkDelete.as_view(), name="link-delete"),
    path("rules/", api.RuleList.as_view(), name="rules"),
]
