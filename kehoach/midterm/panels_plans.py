"""Sections this app adds to other apps' pages: the commune page lists its five-year periods."""


def register() -> None:
    from kehoach.geo.panels import register_commune_panel

    from .views.periods import commune_periods_panel

    register_commune_panel(commune_periods_panel)
