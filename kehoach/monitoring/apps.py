from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "kehoach.monitoring"
    label = "monitoring"
    verbose_name = _("Implementation monitoring and evaluation")

    def ready(self) -> None:
        from kehoach.geo.panels import register_commune_panel, register_province_panel
        from kehoach.plans.services.carry_over import register_carry_over_source
        from kehoach.synthesis.services.workflow import register_transition_guard

        from .guards import evaluation_written
        from .services.carry_over import unfinished_village_lines
        from .views.dashboards import commune_dashboard_panel, province_dashboard_panel

        register_province_panel(province_dashboard_panel)
        register_commune_panel(commune_dashboard_panel)
        register_carry_over_source(unfinished_village_lines)
        register_transition_guard(evaluation_written)
