from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class YearStatus(models.TextChoices):
    """What became of one year of a five-year activity (F7's status column).

    Only ``planned`` and ``dropped`` are set by hand; the others follow from the yearly plan
    the year was drawn into (``selectors_drawing.year_statuses``), so they can never disagree
    with it.
    """

    PLANNED = "planned", pgettext_lazy("five-year status", "Planned")
    PROPOSED = "proposed", _("Proposed in this year's village plan")
    IN_PLAN = "in_plan", _("In this year's approved plan")
    NOT_FUNDED = "not_funded", _("Not funded this year")
    DONE = "done", pgettext_lazy("five-year status", "Done")
    DROPPED = "dropped", pgettext_lazy("five-year status", "Dropped")


SET_BY_HAND = (YearStatus.PLANNED, YearStatus.DROPPED)
