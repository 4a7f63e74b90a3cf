from django.urls import path

from . import api, user_views, users_api, views

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("language/", views.language_view, name="language"),
    path("settings/", views.settings_view, name="settings"),
    path("2fa/setup/", views.twofactor_setup, name="2fa-setup"),
    path("users/", user_views.user_list, name="user-list"),
    path("users/new/", user_views.user_create, name="user-create"),
    path("users/<int:pk>/", user_views.user_detail, name="user-detail"),
    path("users/<int:pk>/roles/<int:role_id>/revoke/", user_views.role_revoke, name="role-revoke"),
    path("users/<int:pk>/<str:action>/", user_views.user_action, name="user-action"),
]
api_urlpatterns = [
    path("token/", api.TokenView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
]
users_api_urlpatterns = [
    path("", users_api.UserListCreate.as_view(), name="api-users"),
    path("<int:pk>/roles/", users_api.UserRoles.as_view(), name="api-user-roles"),
    path("<int:pk>/roles/<int:role_id>/", users_api.UserRoleDetail.as_view(), name="api-user-role"),
    path("<int:pk>/unlock/", users_api.UserAction.as_view(action="unlock"), name="api-user-unlock"),
    path(
        "<int:pk>/deactivate/",
        users_api.UserAction.as_view(action="deactivate"),
        name="api-user-deactivate",
    ),
]
