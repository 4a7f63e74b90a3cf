from django.urls import path

from . import api, views

app_name = "people"
urlpatterns = [
    path("", views.child_list, name="child-list"),
    path("new/", views.child_register, name="child-register"),
    path("<str:uuid>/", views.child_detail, name="child-detail"),
    path("<str:uuid>/edit/", views.child_edit, name="child-edit"),
]
api_urlpatterns = [
    path("", api.ChildListCreate.as_view(), name="api-children"),
    path("<str:uuid>/", api.ChildDetail.as_view(), name="api-child"),
]
