"""Writing ``LineSummary`` rows and checking them against a full recomputation.

The rows are one aggregate query over the active commune lines (``source`` empty) and one over
their funding (``source`` set), grouped by plan, sector, decision (and source). A refresh deletes
the plan's rows and inserts the aggregate with ``INSERT … SELECT``: two statements per plan
however many lines it has, nothing read into Python. The same querysets, evaluated, are the
recomputation that ``summaries_differences`` compares with the table.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce

from ..choices import Decision, LineState
from ..models import CommuneLine, CommunePlan, LineFunding, LineSource, LineSummary, PlanSummary

KEY = ("plan", "sector", "decision", "source")
COPIED = ("province", "commune", "year", "plan_status")
MEASURES = ("lines", "demand_mvnd", "support_asked_mvnd", "funded_mvnd")
COLUMNS = (*KEY, *COPIED, *MEASURES)
"""The summary's columns in the order of the SELECTs below (``s_<name>``)."""
PLAN_COLUMNS = ("plan", "province", "commune", "year", "priority1", "priority1_funded")
"""``PlanSummary``'s columns."""

_ZERO = Decimal(0)


def _plan_columns(prefix: str) -> dict[str, Any]:
    """The columns copied from the plan, through the path from the aggregated model."""
    commune = f"{prefix}plan__round__commune"
    return {
        "s_plan": F(f"{prefix}plan_id"),
        # a current commune's parent is its province; a pre-2025 commune's, a former district
        "s_province": Coalesce(F(f"{commune}__parent__parent_id"), F(f"{commune}__parent_id")),
        "s_commune": F(f"{commune}_id"),
        "s_year": F(f"{prefix}plan__round__plan_year"),
        "s_plan_status": F(f"{prefix}plan__status"),
    }


def _line_rows(plans: Q, lines: Any = CommuneLine) -> QuerySet[Any]:
    return (
        lines.objects.filter(plans, state=LineState.ACTIVE)
        .order_by()
        .values(
            **_plan_columns(""),
            s_sector=F("sector_id"),
            s_decision=F("decision"),
            s_source=Cast(Value(None), IntegerField()),
        )
        .annotate(
            s_lines=Count("id"),
            s_demand_mvnd=Sum("total_cost_mvnd"),
            s_support_asked_mvnd=Sum("external_support_mvnd"),
            s_funded_mvnd=Value(_ZERO),
        )
    )


def _funding_rows(plans: Q, funding: Any = LineFunding) -> QuerySet[Any]:
    return (
        funding.objects.filter(plans, line__state=LineState.ACTIVE)
        .order_by()
        .values(
            **_plan_columns("line__"),
            s_sector=F("line__sector_id"),
            s_decision=F("line__decision"),
            s_source=F("envelope_line__source_id"),
        )
        .annotate(
            s_lines=Count("line_id", distinct=True),
            s_demand_mvnd=Value(_ZERO),
            s_support_asked_mvnd=Value(_ZERO),
            s_funded_mvnd=Sum("amount_mvnd"),
        )
    )


def _priority_rows(plans: Q, sources: Any = LineSource) -> QuerySet[Any]:
    """Per plan, the villages' priority-1 proposals in its active lines, each village line once,
    and those a funded line carries. Only lines whose ``village_priority`` (the lowest of their
    live sources, kept by the writers) is 1 can hold one."""
    return (
        sources.objects.filter(
            plans,
            line__state=LineState.ACTIVE,
            line__village_priority=1,
            withdrawn=False,
            village_line__priority=1,
        )
        .order_by()
        .values(**{k: v for k, v in _plan_columns("line__").items() if k != "s_plan_status"})
        .annotate(
            s_priority1=Count("village_line", distinct=True),
            s_priority1_funded=Count(
                "village_line", filter=Q(line__decision=Decision.FUNDED), distinct=True
            ),
        )
    )


def _both(lines: Q, funding: Q) -> list[QuerySet[Any]]:
    return [_line_rows(lines), _funding_rows(funding)]


def _insert(
    queryset: QuerySet[Any], summary: Any = LineSummary, columns: tuple[str, ...] = COLUMNS
) -> None:
    """``INSERT INTO summary (…) SELECT … FROM (<the aggregate>)``: the aggregate's columns
    are named (``s_<column>``), so their order in Django's SQL does not matter."""
    inner, params = queryset.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(summary._meta.db_table)
    column = {f.name: f.column for f in summary._meta.concrete_fields}
    targets = ", ".join(quote(column[c]) for c in columns)
    sources = ", ".join(quote(f"s_{c}") for c in columns)
    sql = f"INSERT INTO {table} ({targets}) SELECT {sources} FROM ({inner}) {quote('rows')}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def summaries_refresh(plan: CommunePlan) -> None:
    """Rewrite the summaries of one commune plan. Call it at the end of every write to its
    lines, their funding or its status, inside the write's transaction."""
    LineSummary.objects.filter(plan_id=plan.pk).delete()
    for queryset in _both(Q(plan_id=plan.pk), Q(line__plan_id=plan.pk)):
        _insert(queryset)
    PlanSummary.objects.filter(plan_id=plan.pk).delete()
    _insert(_priority_rows(Q(line__plan_id=plan.pk)), PlanSummary, PLAN_COLUMNS)


def summaries_refresh_communes(communes: Iterable[Any]) -> None:
    """Rewrite the summaries of every commune plan of these communes (all years): a DELETE and
    two INSERT … SELECT for all of them (``generate_scale`` after each province)."""
    ids = [c.pk for c in communes]
    if not ids:
        return
    LineSummary.objects.filter(commune_id__in=ids).delete()
    PlanSummary.objects.filter(commune_id__in=ids).delete()
    with _whole_tables():
        for queryset in _both(
            Q(plan__round__commune_id__in=ids), Q(line__plan__round__commune_id__in=ids)
        ):
            _insert(queryset)
        _insert(_priority_rows(Q(line__plan__round__commune_id__in=ids)), PlanSummary, PLAN_COLUMNS)


@contextmanager
def _whole_tables() -> Iterator[None]:
    """On PostgreSQL, hash joins for aggregates over whole provinces. ``generate_scale`` writes
    the summaries in the transaction that filled the tables, before any statistics count those
    rows: the planner then chose nested loops over the villages' lines, and one province's
    priority-1 counts took eight minutes instead of a second."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_nestloop = off")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET enable_nestloop")


def summaries_rebuild(
    *, lines: Any = CommuneLine, funding: Any = LineFunding, summary: Any = LineSummary
) -> None:
    """Rewrite every summary (the migration that creates the table fills it with this, passing
    its historical models; ``check_summaries --fix`` repairs only what differs)."""
    summary.objects.all().delete()
    _insert(_line_rows(Q(), lines), summary)
    _insert(_funding_rows(Q(), funding), summary)


def plan_summaries_rebuild(*, sources: Any = LineSource, summary: Any = PlanSummary) -> None:
    """Rewrite every ``PlanSummary`` (its migration fills the table with this)."""
    summary.objects.all().delete()
    _insert(_priority_rows(Q(), sources), summary, PLAN_COLUMNS)


# --- check_summaries --------------------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """A summary row that differs from the recomputation: ``stored`` or ``expected`` is None
    when the row is missing on that side."""

    key: tuple[Any, ...]
    stored: dict[str, Any] | None
    expected: dict[str, Any] | None

    def __str__(self) -> str:
        if len(self.key) == 1:  # a PlanSummary row
            where = f"kế hoạch xã #{self.key[0]}, đề xuất ưu tiên 1 của các thôn"
        else:
            plan, sector, decision, source = self.key
            where = (
                f"kế hoạch xã #{plan}, lĩnh vực #{sector}, quyết định «{decision}», "
                f"nguồn {'#' + str(source) if source else '—'}"
            )
        if self.stored is None:
            return f"Thiếu dòng tổng hợp: {where}; tính lại được {self.expected}."
        if self.expected is None:
            return f"Dòng tổng hợp thừa: {where}; đang lưu {self.stored}."
        changed = {
            name: (self.stored[name], self.expected[name])
            for name in self.expected
            if self.stored[name] != self.expected[name]
        }
        parts = ", ".join(f"{name}: lưu {a}, đúng là {b}" for name, (a, b) in changed.items())
        return f"Dòng tổng hợp sai: {where}; {parts}."


def _normal(name: str, value: Any) -> Any:
    if name in ("demand_mvnd", "support_asked_mvnd", "funded_mvnd"):
        return Decimal(value or 0).quantize(Decimal("0.001"))
    return value


def _expected(plans: Q, funding: Q) -> Iterator[dict[str, Any]]:
    for queryset in _both(plans, funding):
        for row in queryset.iterator(chunk_size=5000):
            yield {c: _normal(c, row[f"s_{c}"]) for c in COLUMNS}


def summaries_differences(communes: Iterable[Any] | None = None) -> list[Difference]:
    """Every difference between the stored summaries (of these communes, or all) and a
    recomputation from the lines and their funding; empty when they agree."""
    if communes is None:
        plans, funding, stored_rows = Q(), Q(), LineSummary.objects.all()
    else:
        ids = [c.pk for c in communes]
        plans = Q(plan__round__commune_id__in=ids)
        funding = Q(line__plan__round__commune_id__in=ids)
        stored_rows = LineSummary.objects.filter(commune_id__in=ids)
    names = [*COPIED, *MEASURES]
    stored: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in stored_rows.values(*(f"{c}_id" if c in _FKS else c for c in COLUMNS)).iterator(
        chunk_size=5000
    ):
        values = {c: _normal(c, row[f"{c}_id" if c in _FKS else c]) for c in COLUMNS}
        stored[tuple(values[c] for c in KEY)] = {n: values[n] for n in names}
    found: list[Difference] = []
    for values in _expected(plans, funding):
        key = tuple(values[c] for c in KEY)
        expected = {n: values[n] for n in names}
        have = stored.pop(key, None)
        if have != expected:
            found.append(Difference(key, have, expected))
    found += [Difference(key, have, None) for key, have in stored.items()]
    found += _plan_differences(communes)
    return sorted(found, key=lambda d: tuple(str(x) for x in d.key))


def _plan_differences(communes: Iterable[Any] | None) -> list[Difference]:
    """The ``PlanSummary`` rows that differ from a recomputation."""
    if communes is None:
        plans, stored_rows = Q(), PlanSummary.objects.all()
    else:
        ids = [c.pk for c in communes]
        plans = Q(line__plan__round__commune_id__in=ids)
        stored_rows = PlanSummary.objects.filter(commune_id__in=ids)
    measures = ("province", "commune", "year", "priority1", "priority1_funded")
    stored: dict[tuple[Any, ...], dict[str, Any]] = {
        (plan,): dict(zip(measures, values, strict=True))
        for plan, *values in stored_rows.values_list(
            "plan_id", "province_id", "commune_id", "year", "priority1", "priority1_funded"
        )
    }
    found: list[Difference] = []
    for row in _priority_rows(plans).iterator(chunk_size=5000):
        key = (row["s_plan"],)
        expected = {m: row[f"s_{m}"] for m in measures}
        have = stored.pop(key, None)
        if have != expected:
            found.append(Difference(key, have, expected))
    found += [Difference(key, have, None) for key, have in stored.items()]
    return found


_FKS = frozenset({"plan", "sector", "source", "province", "commune"})
