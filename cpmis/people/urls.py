from django.urls import path

from . import api, views

app_name = "people"
urlpatterns = [
    path("", views.child_list, name="child-list"),
    path("new/", views.child_register, name="child-register"),
    path("merges/", views.merge_list, name="merge-list"),
    path("merges/<int:merge_id>/", views.merge_page, name="merge"),
    path("merges/<int:merge_id>/decide", views.merge_decide, name="merge-decide"),
    path("merges/<int:merge_id>/undo", views.merge_undo, name="merge-undo"),
    path("<str:uuid>/", views.child_detail, name="child-detail"),
    path("<str:uuid>/edit/", views.child_edit, name="child-edit"),
]
api_urlpatterns = [
    path("", api.ChildListCreate.as_view(), name="api-children"),
    path("<str:uuid>/", api.ChildDetail.as_view(), name="api-child"),
]
merge_api_urlpatterns = [
    path("", api.MergeList.as_view(), name="merges"),
    path("<int:merge_id>/", api.MergeDetail.as_view(), name="merge"),
    path("<int:merge_id>/decide/", api.MergeDecide.as_view(), name="decide"),
    path("<int:merge_id>/undo/", api.MergeUndo.as_view(), name="undo"),
]
