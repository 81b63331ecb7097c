from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "kehoach.portal"
    label = "portal"
    verbose_name = _("Public portal")

    def ready(self) -> None:
        from kehoach.synthesis.signals import plan_published

        from .stored.hooks import on_plan_published

        plan_published.connect(on_plan_published, dispatch_uid="portal-published-files")
