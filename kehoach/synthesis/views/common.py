"""What every commune-plan page shares: finding the plan for this user, the header, the tabs
and the box with what is left of the envelope (always visible while deciding, R19)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from kehoach.accounts.permissions import Action, can_see, has_permission
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.selectors import unit_ancestors
from kehoach.plans.models import PlanningRound
from kehoach.plans.selectors import round_get_for_user

from ..models import CommunePlan
from ..permissions import can_edit_plan
from ..selectors import commune_plan_get_for_user, envelope_use
from ..services.common import envelope_for


def is_htmx(request: HttpRequest) -> bool:
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def plan_or_404(request: HttpRequest, uid: Any) -> CommunePlan:
    return commune_plan_get_for_user(user=request.user, uid=uid)  # missing: 404 (middleware)


def round_or_404(request: HttpRequest, uid: Any) -> PlanningRound:
    return round_get_for_user(user=request.user, uid=uid)  # missing: 404 (middleware)


def ancestors_of(request: HttpRequest, unit: Any) -> list[Any]:
    ancestors = unit_ancestors(unit)
    for ancestor in ancestors:
        ancestor.visible = can_see(request.user, ancestor)  # type: ignore[attr-defined]
    return ancestors


def plan_context(
    request: HttpRequest, plan: CommunePlan, tab: str, *, envelope: bool = True
) -> dict[str, Any]:
    """Context for ``synthesis/plan_base.html``, with the envelope's box (``envelope_context``)
    unless ``envelope`` is false (a page that may not show it)."""
    round_ = plan.round
    may_edit = has_permission(request.user, Action.EDIT_COMMUNE_PLAN, round_.commune)
    return {
        "plan": plan,
        "round": round_,
        "unit": round_.commune,
        "ancestors": ancestors_of(request, round_.commune),
        "tab": tab,
        "may_edit": may_edit,
        "can_edit": can_edit_plan(request.user, plan) is None,
        "profile": round_.profile,
        **(envelope_context(round_) if envelope else {}),
    }


def envelope_context(round_: Any) -> dict[str, Any]:
    """The envelope of the round and what its funding uses (``partials/envelope_box.html``)."""
    envelope = envelope_for(round_)
    use = envelope_use(envelope)
    total = sum((r["line"].amount_mvnd for r in use), Decimal(0))
    used = sum((r["used"] for r in use), Decimal(0))
    return {
        "envelope": envelope,
        "envelope_use": use,
        "envelope_total": total,
        "envelope_used": used,
        "envelope_left": total - used,
    }


def local_url(request: HttpRequest, url: str | None, fallback: str = "/") -> str:
    """``url`` reduced to a path on this site, or ``fallback``: a ``next`` field or a referrer
    may not send the user to another site ("//evil.example", "https://evil.example/",
    "javascript:…" are refused)."""
    if not url or not url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return fallback
    parts = urlsplit(url)
    if not parts.path.startswith("/") or parts.path.startswith("//"):
        return fallback
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))


def service_action(
    view: Callable[..., Any],
) -> Callable[..., HttpResponse]:
    """For POST-only actions: run the service call the view returns (a callable giving the
    success message and the URL to go to), turn "not found" into 404 and any refusal into a
    message on the page the user came from — nothing is changed when a service refuses."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method != "POST":
            raise Http404
        back = local_url(request, request.POST.get("next") or request.META.get("HTTP_REFERER"))
        try:
            message, target = view(request, *args, **kwargs)
        except NotFoundError as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            for item in getattr(exc, "errors", None) or [exc]:
                messages.error(request, item.message)
            return redirect(back)
        if message:
            messages.success(request, message)
        return redirect(target)

    return wrapper
