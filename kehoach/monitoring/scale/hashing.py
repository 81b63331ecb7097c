"""A digest of the generated content, to show that the same seed gives the same rows.

Primary keys and the times a row was written differ from one run to the next; everything else
must not. Each table's rows are read with every foreign key replaced by the public identifier
of the row it points to (a uid, a code, a user name, or the plan of a one-per-plan row), sorted,
and hashed. Meant for small scales (tests, a province): it reads whole tables.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.db import models

from kehoach.approvals.models import StatusChange, Version
from kehoach.geo.choices import Level
from kehoach.geo.models import AdministrativeUnit
from kehoach.plans.models import BasicInfo, PlanningRound, ProposalLine, VillageMeeting, VillagePlan
from kehoach.synthesis.models import (
    CommuneLine,
    CommunePlan,
    Envelope,
    EnvelopeLine,
    LineFunding,
    LineSource,
)

from ..models import Disbursement, ProgressReport

TABLES: list[type[models.Model]] = [
    PlanningRound,
    VillagePlan,
    BasicInfo,
    VillageMeeting,
    ProposalLine,
    Envelope,
    EnvelopeLine,
    CommunePlan,
    CommuneLine,
    LineSource,
    LineFunding,
    StatusChange,
    Version,
    ProgressReport,
    Disbursement,
]


def _natural(model: type[models.Model]) -> str:
    """The lookup that names a row of ``model`` publicly."""
    names = {f.name for f in model._meta.get_fields()}
    for name in ("uid", "code", "username"):
        if name in names:
            return name
    plan = model._meta.get_field("plan")
    return f"plan__{_natural(plan.related_model)}"  # type: ignore[arg-type]


def _lookups(model: type[models.Model]) -> list[str]:
    found = []
    for f in model._meta.concrete_fields:
        if f.primary_key or getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            continue
        if f.is_relation:
            found.append(f"{f.name}__{_natural(f.related_model)}")  # type: ignore[arg-type]
        else:
            found.append(f.name)
    return found


def _rows(model: type[models.Model], queryset: Any) -> list[str]:
    rows = queryset.values_list(*_lookups(model))
    return sorted(json.dumps(list(row), sort_keys=True, default=str) for row in rows)


def content_hash() -> str:
    """The SHA-256 of every village and every row of the planning tables, as above."""
    digest = hashlib.sha256()
    villages = AdministrativeUnit.objects.filter(level=Level.VILLAGE)
    tables: list[tuple[type[models.Model], Any]] = [
        (AdministrativeUnit, villages),
        *((m, m._default_manager.all()) for m in TABLES),
    ]
    for model, queryset in tables:
        digest.update(model._meta.label.encode())
        for row in _rows(model, queryset):
            digest.update(row.encode())
            digest.update(b"\n")
    return digest.hexdigest()
