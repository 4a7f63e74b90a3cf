from django.urls import path

from . import api

app_name = "reference"
urlpatterns = [
    path("jurisdictions/", api.JurisdictionList.as_view(), name="jurisdictions"),
    path("districts/", api.DistrictList.as_view(), name="districts"),
    path("departments/", api.DepartmentList.as_view(), name="departments"),
    path("institution-types/", api.InstitutionTypeList.as_view(), name="institution-types"),
]
