from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SynthesisConfig(AppConfig):
    name = "kehoach.synthesis"
    label = "synthesis"
    verbose_name = _("Commune plans")

    def ready(self) -> None:
        from kehoach.geo.panels import register_province_panel
        from kehoach.plans.panels import register_plan_panel, register_round_panel
        from kehoach.plans.services.guards import register_plan_guard

        from .guards import village_plan_guard
        from .views.panels import (
            envelope_plan_panel,
            feedback_plan_panel,
            rollup_province_panel,
            round_synthesis_panel,
        )

        register_plan_panel(feedback_plan_panel)
        register_plan_panel(envelope_plan_panel)
        register_round_panel(round_synthesis_panel)
        register_province_panel(rollup_province_panel)
        register_plan_guard(village_plan_guard)

        from kehoach.geo.panels import register_home_panel, register_village_panel

        from .views.home import HOME_PANELS, village_plans_panel

        for panel in HOME_PANELS:
            register_home_panel(panel)
        register_village_panel(village_plans_panel)
