from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MidtermConfig(AppConfig):
    name = "kehoach.midterm"
    label = "midterm"
    verbose_name = _("Five-year plans")

    def ready(self) -> None:
        from . import panels_commune, panels_drawing, panels_plans

        panels_plans.register()
        panels_drawing.register()
        panels_commune.register()
