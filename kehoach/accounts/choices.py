from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    VILLAGE_EDITOR = "village_editor", _("Village planning team")
    COMMUNE_PLANNER = "commune_planner", _("Commune planning officer")
    COMMUNE_APPROVER = "commune_approver", _("Commune leader (approver)")
    PROVINCE_OFFICER = "province_officer", _("Provincial finance department officer")
    DISTRICT_OFFICER = "district_officer", _("Former district officer (pre-2025 data)")
    DONOR_VIEWER = "donor_viewer", _("Donor or programme viewer")
    NATIONAL_OFFICER = "national_officer", _("Ministry or national programme officer")
    ADMIN = "admin", _("System administrator")
