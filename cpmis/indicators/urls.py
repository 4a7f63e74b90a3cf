from django.urls import path, re_path

from . import api, views

app_name = "indicators"
urlpatterns = [
    path("", views.browser, name="browser"),
    path("dashboard/", views.dashboard, name="dashboard"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.export, name="export"),
    path("pivot/", views.pivot, name="pivot"),
    re_path(r"^pivot\.(?P<fmt>csv|xlsx)$", views.pivot_export, name="pivot-export"),
    path("annex.xlsx", views.annex_xlsx, name="annex"),
    path("dhis2.json", views.dhis2_export, name="dhis2"),
    path("dhis2/mapping/", views.dhis2_mapping, name="dhis2-mapping"),
]
api_urlpatterns = [
    path("", api.IndicatorList.as_view(), name="list"),
    path("table/", api.IndicatorTable.as_view(), name="table"),
    path("export/", api.IndicatorExport.as_view(), name="export"),
    path("pivot/", api.PivotTable.as_view(), name="pivot"),
    path("pivot/export/", api.PivotExport.as_view(), name="pivot-export"),
    path("annex/", api.Annex.as_view(), name="annex"),
    path("dhis2/", api.Dhis2DataValueSet.as_view(), name="dhis2"),
    path("dhis2/mapping/", api.Dhis2MappingView.as_view(), name="dhis2-mapping"),
]
