from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "kehoach.exchange"
    label = "exchange"
    verbose_name = _("Workbooks and documents")

    def ready(self) -> None:
        from kehoach.geo.panels import register_province_panel
        from kehoach.plans.panels import register_plan_panel

        from .views import province_export_panel, workbooks_plan_panel

        register_plan_panel(workbooks_plan_panel)
        register_province_panel(province_export_panel)
