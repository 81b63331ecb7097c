"""Writes of the village basic information: the whole F1 saved at once (the web form, the
workbook F1, the API), or last year's copied into an empty one. Each checks the actor may edit
the draft plan, judges the values with ``validators.clean_basic_info`` and writes one audit row
with the values, sources and ethnic groups before and after."""

from __future__ import annotations

import copy
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kehoach.approvals.audit import audit_record, snapshot
from kehoach.core.errors import ApplicationError
from kehoach.core.validation import raise_errors

from ...models import BasicInfo, EthnicGroup, VillagePlan
from ..common import check_version, require_editable
from .rows import AUDIT_FIELDS, ETHNIC_GROUPS, INFO_FIELDS
from .selectors import basic_info_is_empty, basic_info_previous
from .validators import BasicInfoContext, BasicInfoData, CleanBasicInfo, clean_basic_info


def _audit_state(info: BasicInfo) -> dict[str, Any]:
    return {
        **snapshot(info, AUDIT_FIELDS),
        ETHNIC_GROUPS: [
            {"name": g.name, "households": g.households, "persons": g.persons}
            for g in info.ethnic_groups.all()
        ],
    }


def _lock(actor: Any, plan: VillagePlan) -> BasicInfo | None:
    """Check the actor may edit the plan, lock it for this transaction (so two saves are
    applied one after the other) and return its basic information, if any."""
    require_editable(actor, plan)
    plan.status = (
        VillagePlan.objects.select_for_update().values_list("status", flat=True).get(pk=plan.pk)
    )
    require_editable(actor, plan)  # again with the status read under the lock
    return BasicInfo.objects.filter(plan=plan).first()


def _write(
    actor: Any,
    plan: VillagePlan,
    info: BasicInfo | None,
    values: dict[str, Any],
    sources: dict[str, Any],
    groups: list[dict[str, Any]],
) -> BasicInfo:
    before = _audit_state(info) if info is not None else None
    if info is None:
        info = BasicInfo(plan=plan)
    else:
        info.version += 1
    for field, value in values.items():
        setattr(info, field, value)
    info.sources = sources
    info.save()
    info.ethnic_groups.all().delete()
    EthnicGroup.objects.bulk_create([EthnicGroup(info=info, **group) for group in groups])
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=info,
        operation="create" if before is None else "update",
        before=before,
        after=_audit_state(info),
    )
    return info


@transaction.atomic
def basic_info_save(
    *,
    actor: Any,
    plan: VillagePlan,
    data: dict[str, Any],
    sources: dict[str, Any],
    ethnic_groups: list[dict[str, Any]],
    expected_version: int | None,
) -> BasicInfo:
    """Save the whole F1 form: every value (a missing one is emptied), the sources and the
    ethnic groups (replaced). ``expected_version`` is the version the user opened (0 when
    there was no basic information yet); someone else's save in between is a conflict."""
    info = _lock(actor, plan)
    clean = _judged(plan, info, data, sources, ethnic_groups, expected_version)
    return _write(actor, plan, info, clean.values, clean.sources, clean.ethnic_groups)


def _judged(
    plan: VillagePlan,
    info: BasicInfo | None,
    data: dict[str, Any],
    sources: dict[str, Any],
    ethnic_groups: list[dict[str, Any]],
    expected_version: int | None,
) -> CleanBasicInfo:
    """The checks of a save after the actor's: the version opened, then every rule of F1."""
    if info is not None:
        check_version(info.version, expected_version, what=_("the basic information"))
    clean = clean_basic_info(
        BasicInfoContext(village=plan.village.name),
        BasicInfoData(values=data, sources=sources, ethnic_groups=ethnic_groups),
    )
    raise_errors(clean.problems)
    return clean


def basic_info_check(
    *,
    actor: Any,
    plan: VillagePlan,
    data: dict[str, Any],
    sources: dict[str, Any],
    ethnic_groups: list[dict[str, Any]],
    expected_version: int | None,
) -> CleanBasicInfo:
    """``basic_info_save``'s checks without writing anything (a dry run, issue 17): the same
    refusals, or the values as they would be saved."""
    require_editable(actor, plan)
    info = BasicInfo.objects.filter(plan=plan).first()
    return _judged(plan, info, data, sources, ethnic_groups, expected_version)


def _previous_to_copy(plan: VillagePlan, info: BasicInfo | None) -> BasicInfo:
    """The checks of a copy after the actor's: an earlier round's information, an empty form."""
    previous = basic_info_previous(plan)
    if previous is None:
        raise ApplicationError(
            "no_previous_info",
            _("There is no basic information of %(village)s from an earlier year to copy.")
            % {"village": plan.village.name},
        )
    if info is not None and not basic_info_is_empty(info):
        raise ApplicationError(
            "info_not_empty",
            _(
                "The basic information of this plan has already been entered; last year's "
                "values are only copied into an empty form. Correct the values instead."
            ),
        )
    return previous


def basic_info_copy_previous_check(
    *, actor: Any, plan: VillagePlan, expected_version: int | None = None
) -> None:
    """``basic_info_copy_previous``'s checks without writing or locking (a dry run)."""
    require_editable(actor, plan)
    info = BasicInfo.objects.filter(plan=plan).first()
    if info is not None:
        check_version(info.version, expected_version, what=_("the basic information"))
    _previous_to_copy(plan, info)


@transaction.atomic
def basic_info_copy_previous(
    *, actor: Any, plan: VillagePlan, expected_version: int | None = None
) -> BasicInfo:
    """Copy the values, sources and ethnic groups of the latest earlier round into this plan,
    whose basic information must still be empty."""
    info = _lock(actor, plan)
    if info is not None:
        check_version(info.version, expected_version, what=_("the basic information"))
    previous = _previous_to_copy(plan, info)
    values = {field: getattr(previous, field) for field in INFO_FIELDS}
    groups = [
        {"name": g.name, "households": g.households, "persons": g.persons}
        for g in previous.ethnic_groups.all()
    ]
    return _write(actor, plan, info, values, copy.deepcopy(previous.sources or {}), groups)
