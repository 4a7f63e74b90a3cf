from django.urls import URLPattern

app_name = "oversight"
urlpatterns: list[URLPattern] = []
api_urlpatterns: list[URLPattern] = []
