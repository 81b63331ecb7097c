from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.AccountView.as_view(), name="password_change"),
    path("tokens/", views.api_token_create, name="api_token_create"),
    path("tokens/<uuid:uid>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="accounts/password_change_done.html"
        ),
        name="password_change_done",
    ),
]
