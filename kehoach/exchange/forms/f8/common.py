"""What the export and the reading of F8 share: the form's code and its drop-down lists."""

from __future__ import annotations

from ... import choices as lists

FORM = "F8"


def _lists() -> dict[str, lists.Choices]:
    return {"sexes": lists.sexes(), "poverty": lists.poverty()}
