"""Placeholder: replaced by the findings pages."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from .common import plan_context, plan_or_404


def placeholder(request: HttpRequest, uid: str) -> HttpResponse:
    plan = plan_or_404(request, uid)
    return render(request, "plans/plan_base.html", plan_context(request, plan, "findings"))


urlpatterns = [
    path("plans/<uuid:uid>/findings/", placeholder, name="findings"),
    path("plans/<uuid:uid>/ranking/", placeholder, name="ranking"),
]
