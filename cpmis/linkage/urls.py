from django.urls import path

from . import api, views

app_name = "linkage"
urlpatterns = [
    path("reviews/", views.review_queue, name="queue"),
    path("reviews/<int:item_id>/", views.review_page, name="review"),
    path("reviews/<int:item_id>/decide", views.review_decide, name="decide"),
    path("links/<int:link_id>/undo", views.link_undo, name="undo"),
    path("records/<int:record_id>/link", views.link_by_hand, name="link-by-hand"),
]
api_urlpatterns = [
    path("reviews/", api.ReviewList.as_view(), name="reviews"),
    path("reviews/<int:item_id>/", api.ReviewDetail.as_view(), name="review"),
    path("reviews/<int:item_id>/decision/", api.ReviewDecision.as_view(), name="decision"),
    path("links/<int:link_id>/undo/", api.LinkUndo.as_view(), name="undo"),
    path("children/<str:uuid>/records/", api.ChildRecords.as_view(), name="child-records"),
    path("models/", api.ModelList.as_view(), name="models"),
    path("waiting/", api.WaitingList.as_view(), name="waiting"),
    path("records/<int:record_id>/link/", api.ManualLink.as_view(), name="manual-link"),
]
