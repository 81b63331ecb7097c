"""The user's notifications inside the application."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kehoach.core.access import visible_or_404

from .models import Notification
from .services import notifications_mark_read


@login_required
def notifications_view(request: HttpRequest) -> HttpResponse:
    items = list(Notification.objects.filter(user_id=request.user.pk or 0)[:100])
    return render(request, "approvals/notifications.html", {"items": items})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one notification read and go where it points."""
    mine = Notification.objects.filter(user_id=request.user.pk or 0)
    item = visible_or_404(None, mine, pk=pk)
    notifications_mark_read(user=request.user, ids=[item.pk])
    local = item.url.startswith("/") and url_has_allowed_host_and_scheme(
        item.url, allowed_hosts=None
    )
    return redirect(item.url if local else "/")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return redirect("approvals:notifications")


def unread_count(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the number of unread notifications, for the header."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": Notification.objects.filter(user=user, read_at__isnull=True).count()
    }
