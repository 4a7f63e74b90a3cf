from django.urls import path

from . import api, device_views, views

app_name = "field"
urlpatterns = [
    path("", views.shell, name="app"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service-worker"),
    path("devices/", device_views.device_list, name="devices"),
    path("devices/<str:uuid>/revoke/", device_views.device_revoke, name="device-revoke"),
]
api_urlpatterns = [
    path("devices/", api.DeviceEnrol.as_view(), name="devices"),
    path("devices/<str:uuid>/status/", api.DeviceStatus.as_view(), name="device-status"),
    path("devices/<str:uuid>/sign-out/", api.DeviceSignOut.as_view(), name="device-sign-out"),
    path("pack/", api.Pack.as_view(), name="pack"),
    path("sync/", api.Sync.as_view(), name="sync"),
    path("resolve/", api.Resolve.as_view(), name="resolve"),
]
