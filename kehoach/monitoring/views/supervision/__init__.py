"""Community supervision (F17): the section of a work's page (the board, its members, its
visits and the forms to record them), the pages that correct a board, a member or a visit, and
the list of a commune plan's boards with the follow-ups still open.

A refused form on the work's page re-renders that page with the form as typed and the
messages on its fields (the bound forms reach ``work_section`` through the request).

The package: ``helpers`` (the work and record a URL names, the answers after a write or a
refusal), ``work_posts`` (forms posted from the work's page), ``board_pages``,
``member_pages``, ``visit_pages`` (the correction pages and the list of boards)."""

from __future__ import annotations

from django.urls import URLPattern, path

from .board_pages import board_dissolve_view, board_view
from .member_pages import member_leave_view, member_remove_view, member_view
from .visit_pages import supervision_view, visit_view
from .work_posts import board_establish_view, follow_up_done_view, member_add_view, visit_add_view

__all__ = [
    "board_dissolve_view",
    "board_establish_view",
    "board_view",
    "follow_up_done_view",
    "member_add_view",
    "member_leave_view",
    "member_remove_view",
    "member_view",
    "supervision_view",
    "urlpatterns",
    "visit_add_view",
    "visit_view",
]

WORK = "cdp/<uuid:uid>/works/<uuid:line_uid>/supervision"

urlpatterns: list[URLPattern] = [
    path("cdp/<uuid:uid>/supervision/", supervision_view, name="supervision"),
    path(f"{WORK}/establish/", board_establish_view, name="supervision_establish"),
    path(f"{WORK}/board/", board_view, name="supervision_board"),
    path(f"{WORK}/dissolve/", board_dissolve_view, name="supervision_dissolve"),
    path(f"{WORK}/members/", member_add_view, name="supervision_member_add"),
    path(f"{WORK}/members/<int:pk>/", member_view, name="supervision_member"),
    path(f"{WORK}/members/<int:pk>/leave/", member_leave_view, name="supervision_member_leave"),
    path(f"{WORK}/members/<int:pk>/remove/", member_remove_view, name="supervision_member_remove"),
    path(f"{WORK}/visits/", visit_add_view, name="supervision_visit_add"),
    path(f"{WORK}/visits/<uuid:visit_uid>/", visit_view, name="supervision_visit"),
    path(
        f"{WORK}/visits/<uuid:visit_uid>/follow-up/",
        follow_up_done_view,
        name="supervision_follow_up",
    ),
]
