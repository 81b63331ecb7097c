"""Issue 14 for the envelope, the funding and the targets: the pure validators (a problem with
its code and Vietnamese message, nothing written), the batch writers (all or nothing, one
audit row per change) and no import circle between the modules of synthesis' services."""

from __future__ import annotations

import ast
import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kehoach.approvals.models import AuditEntry
from kehoach.catalog.models import Indicator
from kehoach.core.errors import ApplicationError
from kehoach.geo.tests.factories import hai_lang

from ..choices import Decision, EnvelopeOrigin
from ..models import CommuneLine, EnvelopeLine, LineFunding, TargetValue
from ..services.common import commune_plan_for
from ..services.envelope import (
    ADD,
    CHANGE,
    EnvelopeChange,
    EnvelopeLineContext,
    envelope_lines_apply,
    validate_envelope_line,
)
from ..services.funding import (
    FundingChange,
    FundingContext,
    line_fundings_apply,
    validate_line_funding,
)
from ..services.lines import commune_plan_synthesise
from ..services.targets import targets_apply, validate_targets
from ..services.workflow import validate_resolution
from . import factories as f

D = Decimal


@pytest.fixture
def ctx(db: Any) -> dict[str, Any]:
    commune = hai_lang()
    a, b = f.villages(commune, ["Thôn Diên Sanh", "Thôn Mỹ Chánh"])
    road, school = f.transport(), f.education()
    ntp, nsx = f.ntp(), f.commune_budget()
    f.submitted_plan(a, [f.money_line("600", "100", sector=road, activity="Đường xóm Trên")])
    f.submitted_plan(b, [f.money_line("400", "50", sector=school, activity="Sửa phòng học")])
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = commune_plan_for(round_)
    envelope = [
        f.envelope_line(round_, ntp, "1000", sector_=road),
        f.envelope_line(round_, nsx, "400", origin="commune"),
    ]
    return {
        "round": round_,
        "plan": plan,
        "planner": planner,
        "officer": f.province_officer(commune.parent),
        "ntp": ntp,
        "nsx": nsx,
        "envelope": envelope,
        "road": CommuneLine.objects.get(plan=plan, activity="Đường xóm Trên"),
        "school": CommuneLine.objects.get(plan=plan, activity="Sửa phòng học"),
    }


def _counts() -> tuple[int, int, int, int]:
    return (
        EnvelopeLine.objects.count(),
        LineFunding.objects.count(),
        AuditEntry.objects.count(),
        TargetValue.objects.count(),
    )


# --- the envelope -------------------------------------------------------------------------------


def test_a_right_envelope_line_has_no_problem(ctx: dict[str, Any]) -> None:
    context = EnvelopeLineContext(ctx["round"], 3, EnvelopeOrigin.COMMUNE)
    assert validate_envelope_line(context, {"source": ctx["nsx"], "amount_mvnd": D("12.5")}) == []


def test_an_envelope_line_without_amount_says_so_and_writes_nothing(ctx: dict[str, Any]) -> None:
    before = _counts()
    context = EnvelopeLineContext(ctx["round"], 3, EnvelopeOrigin.COMMUNE)
    problems = validate_envelope_line(context, {"source": ctx["nsx"]})
    assert [(p.code, p.where.field) for p in problems] == [("amount_required", "amount_mvnd")]
    assert problems[0].message == "Dòng 3 của khung nguồn lực, Kinh phí: hãy nhập kinh phí."
    assert _counts() == before


def test_the_commune_may_not_enter_a_programme(ctx: dict[str, Any]) -> None:
    commune = EnvelopeLineContext(ctx["round"], 3, EnvelopeOrigin.COMMUNE)
    province = EnvelopeLineContext(ctx["round"], 3, EnvelopeOrigin.PROVINCE)
    data = {"source": ctx["ntp"], "amount_mvnd": D(5)}
    assert [p.code for p in validate_envelope_line(commune, data)] == ["source_for_province"]
    assert validate_envelope_line(province, data) == []


def test_the_envelope_writer_applies_all_changes_with_one_audit_row_each(
    ctx: dict[str, Any],
) -> None:
    budget = ctx["envelope"][1]
    audits = AuditEntry.objects.count()
    result = envelope_lines_apply(
        actor=ctx["planner"],
        round_=ctx["round"],
        changes=[
            EnvelopeChange(ADD, data={"source": ctx["nsx"], "amount_mvnd": D(20)}),
            EnvelopeChange(ADD, data={"source": ctx["nsx"], "amount_mvnd": D(30)}),
            EnvelopeChange(CHANGE, line=budget, data={"amount_mvnd": D(450)}, version=1),
        ],
    )
    assert [(x.number, x.amount_mvnd) for x in result.lines] == [
        (3, D(20)),
        (4, D(30)),
        (2, D(450)),
    ]
    assert EnvelopeLine.objects.get(pk=budget.pk).version == 2
    assert AuditEntry.objects.count() == audits + 3


def test_the_envelope_writer_writes_nothing_when_one_change_is_wrong(ctx: dict[str, Any]) -> None:
    before = _counts()
    with pytest.raises(ApplicationError) as caught:
        envelope_lines_apply(
            actor=ctx["planner"],
            round_=ctx["round"],
            changes=[
                EnvelopeChange(ADD, data={"source": ctx["nsx"], "amount_mvnd": D(20)}),
                EnvelopeChange(ADD, data={"source": ctx["nsx"], "amount_mvnd": D(-1)}),
            ],
        )
    assert caught.value.code == "amount_negative"
    assert _counts() == before


def test_the_envelope_writer_refuses_a_stale_version(ctx: dict[str, Any]) -> None:
    budget = ctx["envelope"][1]
    with pytest.raises(ApplicationError) as caught:
        envelope_lines_apply(
            actor=ctx["planner"],
            round_=ctx["round"],
            changes=[EnvelopeChange(CHANGE, line=budget, data={"amount_mvnd": D(1)}, version=7)],
        )
    assert caught.value.code == "conflict"
    assert EnvelopeLine.objects.get(pk=budget.pk).amount_mvnd == D(400)


# --- the funding --------------------------------------------------------------------------------


def _context(ctx: dict[str, Any]) -> FundingContext:
    return FundingContext.of(ctx["plan"], [ctx["road"], ctx["school"]])


def test_a_funding_that_fits_has_no_problem(ctx: dict[str, Any]) -> None:
    ntp_line = ctx["envelope"][0]
    change = FundingChange(ctx["road"], Decision.FUNDED, "Đủ vốn", {ntp_line: D(500)})
    assert validate_line_funding(_context(ctx), ctx["road"], change) == []


def test_a_funding_that_does_not_add_up_says_so(ctx: dict[str, Any]) -> None:
    before = _counts()
    ntp_line = ctx["envelope"][0]
    change = FundingChange(ctx["road"], Decision.FUNDED, "Đủ vốn", {ntp_line: D(100)})
    problems = validate_line_funding(_context(ctx), ctx["road"], change)
    assert [p.code for p in problems] == ["funding_sum"]
    assert problems[0].message == (
        "Các số tiền cộng lại là 100 triệu đồng; dòng này cần 500 triệu đồng hỗ trợ từ bên ngoài."
    )
    assert _counts() == before


def test_a_decision_without_reason_is_a_problem(ctx: dict[str, Any]) -> None:
    change = FundingChange(ctx["school"], Decision.DEFERRED, "  ")
    assert [p.code for p in validate_line_funding(_context(ctx), ctx["school"], change)] == [
        "reason_required"
    ]


def test_the_funding_writer_decides_many_lines_at_once(ctx: dict[str, Any]) -> None:
    ntp_line, budget = ctx["envelope"]
    audits = AuditEntry.objects.count()
    line_fundings_apply(
        actor=ctx["planner"],
        plan=ctx["plan"],
        changes=[
            FundingChange(ctx["road"], Decision.FUNDED, "Đủ vốn", {ntp_line: D(500)}),
            FundingChange(ctx["school"], Decision.FUNDED, "Ngân sách xã", {budget: D(350)}),
        ],
    )
    road = CommuneLine.objects.get(pk=ctx["road"].pk)
    assert (road.decision, road.decision_reason) == (Decision.FUNDED, "Đủ vốn")
    assert LineFunding.objects.filter(line__plan=ctx["plan"]).count() == 2
    assert AuditEntry.objects.count() == audits + 2


def test_the_funding_writer_counts_earlier_changes_and_writes_nothing_on_a_refusal(
    ctx: dict[str, Any],
) -> None:
    _ntp_line, budget = ctx["envelope"]
    before = _counts()
    with pytest.raises(ApplicationError) as caught:
        line_fundings_apply(
            actor=ctx["planner"],
            plan=ctx["plan"],
            changes=[
                FundingChange(ctx["school"], Decision.FUNDED, "Ngân sách xã", {budget: D(350)}),
                FundingChange(ctx["road"], Decision.DEFERRED, "Năm sau"),
                # the school's 350 leaves 50 of the commune budget: the road's 500 does not fit
                FundingChange(ctx["road"], Decision.FUNDED, "Đủ vốn", {budget: D(500)}),
            ],
        )
    assert "funding_over_envelope" in {e.code for e in getattr(caught.value, "errors", [])} | {
        caught.value.code
    }
    assert _counts() == before
    assert CommuneLine.objects.get(pk=ctx["school"].pk).decision == Decision.PENDING


# --- the targets --------------------------------------------------------------------------------


def _indicator() -> Indicator:
    return Indicator.objects.create(code="TN", name="Thu nhập bình quân", unit="triệu đồng")


def test_targets_validator_accepts_numbers_and_refuses_words(ctx: dict[str, Any]) -> None:
    indicator = _indicator()
    catalog = {indicator.code: indicator}
    assert validate_targets(catalog, {"TN": {"plan_next": "45,5"}}) == []
    problems = validate_targets(catalog, {"TN": {"plan_next": "nhiều"}})
    assert [(p.code, p.where.field) for p in problems] == [("target_invalid", "TN__plan_next")]


def test_targets_writer_is_all_or_nothing(ctx: dict[str, Any]) -> None:
    _indicator()
    Indicator.objects.create(code="HN", name="Hộ nghèo", unit="%")
    before = _counts()
    with pytest.raises(ApplicationError):
        targets_apply(
            actor=ctx["planner"],
            plan=ctx["plan"],
            changes={"TN": {"plan_next": "45"}, "HN": {"plan_next": "-3"}},
        )
    assert _counts() == before
    assert (
        targets_apply(
            actor=ctx["planner"],
            plan=ctx["plan"],
            changes={"TN": {"plan_next": "45"}, "HN": {"plan_next": "3"}},
        )
        == 2
    )
    assert TargetValue.objects.filter(plan=ctx["plan"]).count() == 2
    assert AuditEntry.objects.count() == before[2] + 2


# --- no import circle -----------------------------------------------------------------------------

SYNTHESIS = Path(__file__).resolve().parents[1]


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(SYNTHESIS.parent.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, module: str) -> set[str]:
    """The synthesis modules that ``module`` imports, at module level or inside a function
    (an import moved into a function to dodge a circle is still a circle)."""
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            names = [f"{target}.{alias.name}" for alias in node.names]
            found |= {target, *names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name.startswith("kehoach.synthesis")}


def _graph() -> dict[str, set[str]]:
    modules = {
        _module_of(path): path
        for path in SYNTHESIS.rglob("*.py")
        if "tests" not in path.parts and "migrations" not in path.parts
    }
    return {
        name: {m for m in _imports(path, name) if m in modules and m != name}
        for name, path in modules.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                found.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return found


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_synthesis_services_have_no_import_circle() -> None:
    graph = _graph()
    services = {n: deps for n, deps in graph.items() if n.startswith("kehoach.synthesis.services")}
    assert "kehoach.synthesis.services.envelope" in services
    # a package imports its own modules from __init__; a circle through it is still a circle
    cycles = [
        c
        for c in _cycles(graph)
        if any(n.startswith("kehoach.synthesis.services") for n in c)
        and not all(
            c[i + 1].startswith(c[i] + ".") or c[i].startswith(c[i + 1] + ".")
            for i in range(len(c) - 1)
        )
    ]
    assert cycles == []


# --- the resolution that approves the plan ------------------------------------------------------


def test_a_complete_resolution_has_no_problem() -> None:

    data = {
        "resolution_number": "12/NQ-HĐND",
        "resolution_date": datetime.date(2026, 11, 20),
        "signer": "Nguyễn Văn A",
    }
    assert validate_resolution(data) == []


def test_a_resolution_without_number_and_signer_names_both_fields() -> None:

    problems = validate_resolution({"resolution_date": datetime.date(2026, 11, 20)})
    assert [(p.code, p.where.field) for p in problems] == [
        ("resolution_number_required", "resolution_number"),
        ("signer_required", "signer"),
    ]
