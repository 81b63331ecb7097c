from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "kehoach.plans"
    label = "plans"
    verbose_name = _("Village plans")

    def ready(self) -> None:
        from kehoach.geo.panels import register_commune_panel

        from .views.rounds import commune_rounds_panel

        register_commune_panel(commune_rounds_panel)
