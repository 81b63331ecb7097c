from django.urls import path

from . import views

app_name = "approvals"

urlpatterns = [
    path("", views.notifications_view, name="notifications"),
    path("<int:pk>/open/", views.notification_open, name="notification_open"),
    path("read/", views.notifications_read_all, name="notifications_read_all"),
]
