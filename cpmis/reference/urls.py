from django.urls import path

from . import api, views

app_name = "reference"
urlpatterns = [path("", views.reference_page, name="page")]
api_urlpatterns = [
    path("jurisdictions/", api.JurisdictionList.as_view(), name="jurisdictions"),
    path("districts/", api.DistrictList.as_view(), name="districts"),
    path("departments/", api.DepartmentList.as_view(), name="departments"),
    path("institution-types/", api.InstitutionTypeList.as_view(), name="institution-types"),
]
