"""Sections this app adds to other apps' pages: drawing the yearly plan from the five-year
plan (the village plan page) and the lines that are new (the round page)."""


def register() -> None:
    from kehoach.plans.panels import register_plan_panel, register_round_panel

    from .views.drawing import plan_drawing_panel, round_drawing_panel

    register_plan_panel(plan_drawing_panel)
    register_round_panel(round_drawing_panel)
