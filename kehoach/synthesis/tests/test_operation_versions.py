"""Merge, split and undo given the versions the caller read (issue 17): checked on the rows
the services lock, so a save landing after the caller's read is refused (the stale error, code
"conflict") with nothing written; without versions (the pages) any version goes."""

from __future__ import annotations

from typing import Any

import pytest

from kehoach.approvals.models import AuditEntry, StatusChange
from kehoach.core.errors import ApplicationError

from ..choices import Decision, LineState
from ..models import CommuneLine, LineSource, SynthesisOperation
from ..services.funding import line_decide
from ..services.lines import (
    Part,
    commune_plan_synthesise,
    line_split,
    line_split_check,
    lines_merge,
    lines_merge_check,
    operation_undo,
    operation_undo_check,
)
from .test_lines import ROAD, setup  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db


def _counts() -> tuple[int, ...]:
    return (
        CommuneLine.objects.count(),
        CommuneLine.objects.filter(state=LineState.ACTIVE).count(),
        LineSource.objects.count(),
        SynthesisOperation.objects.count(),
        AuditEntry.objects.count(),
        StatusChange.objects.count(),
    )


def _saved_by_someone_else(planner: Any, line: CommuneLine) -> None:
    """Another save of ``line`` (its version goes up) after the caller read it."""
    line_decide(actor=planner, line=line, decision=Decision.DEFERRED, reason="Chờ thiết kế")


def _roads(setup: dict[str, Any]) -> list[CommuneLine]:  # noqa: F811
    commune_plan_synthesise(actor=setup["planner"], round_=setup["round"])
    return list(setup["plan"].lines.filter(activity=ROAD).order_by("number"))


def _stale(call: Any) -> None:
    before = _counts()
    with pytest.raises(ApplicationError) as refused:
        call()
    assert refused.value.code == "conflict"
    assert _counts() == before


def test_a_merge_with_a_version_read_before_another_save_is_refused(
    setup: dict[str, Any],  # noqa: F811
) -> None:
    planner, plan = setup["planner"], setup["plan"]
    roads = _roads(setup)
    read = {x.uid: x.version for x in roads}
    _saved_by_someone_else(planner, roads[1])
    args = {"actor": planner, "plan": plan, "lines": roads, "expected_versions": read}
    _stale(lambda: lines_merge_check(**args))
    _stale(lambda: lines_merge(**args))
    assert [x.state for x in CommuneLine.objects.filter(activity=ROAD)] == [LineState.ACTIVE] * 2

    fresh = {str(x.uid): x.version for x in CommuneLine.objects.filter(activity=ROAD)}
    merged = lines_merge(actor=planner, plan=plan, lines=roads, expected_versions=fresh)
    assert merged.state == LineState.ACTIVE


def test_a_merge_keyed_by_pk_and_without_versions_goes_as_before(
    setup: dict[str, Any],  # noqa: F811
) -> None:
    planner, plan = setup["planner"], setup["plan"]
    roads = _roads(setup)
    by_pk = {x.pk: x.version for x in roads}
    _saved_by_someone_else(planner, roads[0])
    _stale(lambda: lines_merge(actor=planner, plan=plan, lines=roads, expected_versions=by_pk))
    assert lines_merge(actor=planner, plan=plan, lines=roads).state == LineState.ACTIVE


def test_a_split_with_a_version_read_before_another_save_is_refused(
    setup: dict[str, Any],  # noqa: F811
) -> None:
    planner = setup["planner"]
    road = _roads(setup)[0]
    read = road.version
    _saved_by_someone_else(planner, road)
    parts = [
        Part(activity="Giai đoạn 1", location="", total_cost_mvnd=road.total_cost_mvnd / 2),
        Part(activity="Giai đoạn 2", location="", total_cost_mvnd=road.total_cost_mvnd / 2),
    ]
    args = {"actor": planner, "line": road, "parts": parts, "expected_version": read}
    _stale(lambda: line_split_check(**args))
    _stale(lambda: line_split(**args))
    road.refresh_from_db()
    assert road.state == LineState.ACTIVE and not road.parts.exists()
    assert len(line_split(**{**args, "expected_version": road.version})) == 2


def test_an_undo_with_a_version_read_before_another_save_is_refused(
    setup: dict[str, Any],  # noqa: F811
) -> None:
    planner, plan = setup["planner"], setup["plan"]
    merged = lines_merge(actor=planner, plan=plan, lines=_roads(setup))
    operation = SynthesisOperation.objects.get(line=merged)
    read = merged.version
    _saved_by_someone_else(planner, merged)
    args = {"actor": planner, "operation": operation, "expected_version": read}
    _stale(lambda: operation_undo_check(**args))
    _stale(lambda: operation_undo(**args))
    operation.refresh_from_db()
    assert operation.undone_at is None
    merged.refresh_from_db()
    operation_undo(**{**args, "expected_version": merged.version})
    merged.refresh_from_db()
    assert merged.state == LineState.REMOVED
