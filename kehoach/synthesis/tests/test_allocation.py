"""Tests for the allocation engine (pure Python, no database).

The suite runs in Vietnamese (root conftest), so reason texts are asserted in Vietnamese.
"""

import itertools
import json
from collections import defaultdict, deque
from collections.abc import Callable, Hashable, Sequence
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from kehoach.synthesis.allocation import (
    Candidate,
    Outcome,
    Pot,
    allocate_greedy,
    allocate_optimal,
    eligibility,
    objective,
    render,
)

Allocate = Callable[[Sequence[Pot], Sequence[Candidate]], list[Outcome]]
MODES = pytest.mark.parametrize(
    "allocate", [allocate_greedy, allocate_optimal], ids=["greedy", "optimal"]
)


def make_pot(
    key: str, capacity: str | int, counterpart_pct: str | int = 0, **fields: object
) -> Pot:
    values: dict = {"source_code": "NTP26", "label": f"Nguồn {key}", **fields}
    return Pot(
        key=key, capacity=Decimal(capacity), counterpart_pct=Decimal(counterpart_pct), **values
    )


def make_line(key: str, need: str | int, **fields: object) -> Candidate:
    values: dict = {
        "label": f"Dòng {key}",
        "total_cost": Decimal(need),
        "contribution": Decimal(0),
        "sector_code": "HT-GT",
        "expenditure": "investment",
        "priority": 1,
        "rank": 1,
        "weight": Decimal(1),
        **fields,
    }
    return Candidate(key=key, need=Decimal(need), **values)


def by_key(outcomes: list[Outcome]) -> dict[str, Outcome]:
    return {outcome.key: outcome for outcome in outcomes}


# --- the rules, written out again independently for the checks below ---------------------------


def allowed(pot: Pot, line: Candidate) -> bool:
    return (
        pot.key not in line.ineligible
        and pot.sector_code in (None, line.sector_code)
        and pot.expenditure in (None, line.expenditure)
        and line.contribution >= pot.counterpart_pct / 100 * line.total_cost
    )


def units(amount: Decimal) -> int:
    return int(amount * 1000)


def fundable(lines: Sequence[Candidate], pots: Sequence[Pot]) -> bool:
    """Whether all *lines* can be paid in full at once: a max-flow, in thousand đồng."""
    room: dict[tuple[Hashable, Hashable], int] = defaultdict(int)
    links: dict[Hashable, set[Hashable]] = defaultdict(set)

    def link(a: Hashable, b: Hashable, amount: int) -> None:
        room[a, b] += amount
        links[a].add(b)
        links[b].add(a)

    for line in lines:
        link("source", ("line", line.key), units(line.need))
        for pot in pots:
            if allowed(pot, line):
                link(("line", line.key), ("pot", pot.key), units(line.need))
    for pot in pots:
        link(("pot", pot.key), "sink", units(pot.capacity))
    flow = 0
    while True:
        came_from: dict[Hashable, Hashable] = {"source": "source"}
        queue: deque[Hashable] = deque(["source"])
        while queue and "sink" not in came_from:
            node = queue.popleft()
            for nxt in links[node]:
                if nxt not in came_from and room[node, nxt] > 0:
                    came_from[nxt] = node
                    queue.append(nxt)
        if "sink" not in came_from:
            return flow == sum(units(line.need) for line in lines)
        path: list[tuple[Hashable, Hashable]] = [("sink", came_from["sink"])]
        while path[-1][1] != "source":
            path.append((path[-1][1], came_from[path[-1][1]]))
        pushed = min(room[a, b] for b, a in path)
        for b, a in path:
            room[a, b] -= pushed
            room[b, a] += pushed
        flow += pushed


def brute_force_best(pots: Sequence[Pot], lines: Sequence[Candidate]) -> Decimal:
    """The largest Σ weight × need over all sets of lines that can be funded together."""
    paying = [line for line in lines if line.need > 0]
    best = Decimal(0)
    for size in range(len(paying) + 1):
        for subset in itertools.combinations(paying, size):
            value = sum((line.weight * line.need for line in subset), Decimal(0))
            if value > best and fundable(subset, pots):
                best = value
    return best


def assert_valid(pots: Sequence[Pot], lines: Sequence[Candidate], outcomes: list[Outcome]) -> None:
    pot_of = {pot.key: pot for pot in pots}
    line_of = {line.key: line for line in lines}
    assert sorted(outcome.key for outcome in outcomes) == sorted(line_of)
    drawn: dict[str, Decimal] = defaultdict(Decimal)
    for outcome in outcomes:
        line = line_of[outcome.key]
        for key, amount in outcome.draws.items():
            pot = pot_of[key]
            assert amount > 0
            assert allowed(pot, line), (pot, line)
            assert eligibility(pot, line) is None
            assert line.contribution >= pot.counterpart_pct / 100 * line.total_cost  # R17
            drawn[key] += amount
        if outcome.funded:
            assert sum(outcome.draws.values(), Decimal(0)) == line.need
            assert outcome.reason.code == ("no_need" if line.need == 0 else "funded")
        else:
            assert outcome.draws == {}
            assert outcome.reason.code in {"no_envelope", "no_pot", "short"}
        if outcome.reason.code == "short":
            assert Decimal(outcome.reason.params["left"]) < line.need
        json.dumps(outcome.reason.params)
        assert render(outcome.reason.code, outcome.reason.params) == outcome.reason.text
    for key, total in drawn.items():
        assert total <= pot_of[key].capacity  # R16


# --- random instances ---------------------------------------------------------------------------

SECTORS = ["HT-GT", "GD-MN", "NS"]
KINDS = ["investment", "recurrent"]
SOURCES = ["NTP26", "NS-X"]
amounts = st.sampled_from([Decimal(50), Decimal(100), Decimal(150)]) | st.builds(
    lambda whole, fraction: Decimal(f"{whole}{fraction}"),
    st.integers(0, 300),
    st.sampled_from(["", "", ".5", ".25", ".125", ".001"]),
)


@st.composite
def instances(draw: st.DrawFn, max_lines: int = 6) -> tuple[list[Pot], list[Candidate]]:
    pots = [
        Pot(
            key=f"p{j}",
            source_code=draw(st.sampled_from(SOURCES)),
            label=f"Nguồn {j}",
            capacity=draw(amounts),
            sector_code=draw(st.none() | st.sampled_from(SECTORS)),
            expenditure=draw(st.none() | st.sampled_from(KINDS)),
            counterpart_pct=Decimal(draw(st.sampled_from(["0", "0", "10", "12.5", "50"]))),
            order=draw(st.integers(0, 2)),
        )
        for j in range(draw(st.integers(0, 4)))
    ]
    keys = [pot.key for pot in pots]
    lines = []
    for i in range(draw(st.integers(0, max_lines))):
        need = draw(st.just(Decimal(0)) | amounts)
        contribution = draw(amounts)
        refused = draw(st.lists(st.sampled_from(keys), unique=True) if keys else st.just([]))
        lines.append(
            Candidate(
                key=f"c{i}",
                label=f"Dòng {i}",
                need=need,
                total_cost=need + contribution,
                contribution=contribution,
                sector_code=draw(st.sampled_from(SECTORS)),
                expenditure=draw(st.sampled_from(KINDS)),
                priority=draw(st.none() | st.integers(1, 3)),
                rank=draw(st.integers(1, 6)),
                weight=Decimal(draw(st.sampled_from(["1", "2", "3", "1.5", "0.25"]))),
                proposed_source=draw(st.none() | st.sampled_from(SOURCES)),
                ineligible=dict.fromkeys(refused, "ngoài địa bàn áp dụng"),
            )
        )
    return pots, lines


@MODES
@settings(max_examples=150, deadline=None)
@given(instance=instances(), data=st.data())
def test_allocation_respects_the_rules_and_is_deterministic(
    allocate: Allocate, instance: tuple[list[Pot], list[Candidate]], data: st.DataObject
) -> None:
    pots, lines = instance
    outcomes = allocate(pots, lines)
    assert_valid(pots, lines, outcomes)
    assert allocate(pots, lines) == outcomes
    shuffled = allocate(data.draw(st.permutations(pots)), data.draw(st.permutations(lines)))
    assert shuffled == outcomes
    assert [list(o.draws.items()) for o in shuffled] == [list(o.draws.items()) for o in outcomes]


@settings(max_examples=150, deadline=None)
@given(instance=instances())
def test_greedy_never_beats_the_optimiser(instance: tuple[list[Pot], list[Candidate]]) -> None:
    pots, lines = instance
    greedy = objective(allocate_greedy(pots, lines), lines)
    assert greedy <= objective(allocate_optimal(pots, lines), lines)


@settings(max_examples=150, deadline=None)
@given(instance=instances(max_lines=6))
def test_optimiser_reaches_the_brute_force_optimum(
    instance: tuple[list[Pot], list[Candidate]],
) -> None:
    pots, lines = instance
    outcomes = allocate_optimal(pots, lines)
    assert objective(outcomes, lines) == brute_force_best(pots, lines)
    # Tie-break: no line left out could take the place of a later funded line of equal value.
    order = {outcome.key: position for position, outcome in enumerate(outcomes)}
    line_of = {line.key: line for line in lines}
    funded = [line_of[o.key] for o in outcomes if o.funded and line_of[o.key].need > 0]
    for outcome in outcomes:
        if outcome.funded:
            continue
        line = line_of[outcome.key]
        for later in funded:
            if order[later.key] > order[line.key] and (
                later.weight * later.need == line.weight * line.need
            ):
                others = [other for other in funded if other is not later]
                assert not fundable([*others, line], pots)


# --- a worked example ---------------------------------------------------------------------------
#
# Pots (million VND):
#   env-1  NTP26 for roads (Hạ tầng: giao thông), investment, counterpart 5 %,   520
#   env-2  commune budget (NS-X), any sector, investment, counterpart 10 %,        530
#   env-3  NTP26 recurrent spending, any sector, no counterpart,                   100
#
# Lines (need = cost − contribution; priority, rank; weight; source asked for):
#   line-1 road xóm Trên          400 = 460 − 60   p1 r1  w3  NTP26  fits env-1, env-2
#   line-2 kindergarten classroom 300 = 340 − 40   p1 r2  w3  NS-X   fits env-2 only
#                                 (env-1 is for roads, env-3 for recurrent spending)
#   line-5 water scheme           190 = 200 − 10   p1 r5  w3  NTP26  fits nothing: env-1 is
#                                 for roads, env-3 for recurrent spending, and env-2 wants
#                                 10 % × 200 = 20 from the community, which gives 10
#   line-3 road thôn Bãi          350 = 370 − 20   p2 r3  w2  NTP26  fits env-1 only: env-2
#                                 wants 10 % × 370 = 37 > 20 (env-1 wants 18,5)
#   line-4 road thôn Nà           200 = 240 − 40   p2 r4  w2  NS-X   fits env-2, env-1
#   line-6 fruit-growing training  62,5           p3 r6  w1  NTP26  recurrent: env-3 only
#   line-7 canal dredging            0 = 80 − 80   none r7           the community pays all
#
# Processing order: line-1, line-2, line-5 (priority 1), line-3, line-4 (2), line-6 (3), line-7.
#
# Greedy: line-1 takes 400 from env-1 (its source, sector-bound) → env-1 has 120 left;
# line-2 takes 300 from env-2 → 230 left; line-5 fits no pot; line-3 needs 350 but env-1 holds
# 120 → not funded; line-4 takes 200 from env-2 (the source it asked for) → 30 left; line-6
# takes 62,5 from env-3; line-7 needs nothing. Total weighted support:
# 3×400 + 3×300 + 2×200 + 1×62,5 = 2562,5.
#
# Optimiser: the investment pots hold 520 + 530 = 1050. Lines 1–4 need 1250, so one must go.
# Without line-4: 400 + 300 + 350 = 1050 exactly, possible if line-3 takes 350 of env-1,
# line-1 the other 170 of env-1 and 230 of env-2, line-2 300 of env-2: total 1200 + 900 + 700
# + 62,5 = 2862,5. Without line-3 (the greedy set) it is 2562,5; without line-1 or line-2, less.
# So the optimiser funds line-3 instead of line-4. Its draws, routed in processing order:
# line-1 first takes 400 from env-1; line-3 takes the 120 left there, then moves 230 of line-1's
# draw to env-2 and takes them too.

ROADS = "NTP26 lĩnh vực Hạ tầng: giao thông"


def example() -> tuple[list[Pot], list[Candidate]]:
    pots = [
        Pot(
            "env-1",
            "NTP26",
            ROADS,
            Decimal(520),
            sector_code="HT-GT",
            sector_name="Hạ tầng: giao thông",
            expenditure="investment",
            counterpart_pct=Decimal(5),
        ),
        Pot(
            "env-2",
            "NS-X",
            "Ngân sách xã",
            Decimal(530),
            expenditure="investment",
            counterpart_pct=Decimal(10),
            order=1,
        ),
        Pot("env-3", "NTP26", "NTP26 chi sự nghiệp", Decimal(100), expenditure="recurrent"),
    ]

    def line(
        key: str, label: str, need: str, cost: str, sector: str, **fields: object
    ) -> Candidate:
        values: dict = {"expenditure": "investment", "proposed_source": "NTP26", **fields}
        return Candidate(
            key,
            label,
            Decimal(need),
            Decimal(cost),
            Decimal(cost) - Decimal(need),
            sector,
            **values,
        )

    lines = [
        line(
            "line-7",
            "Dòng 7 – Nạo vét kênh mương nội đồng xóm Dưới",
            "0",
            "80",
            "TL",
            priority=None,
            rank=7,
            weight=Decimal(1),
        ),
        line(
            "line-6",
            "Dòng 6 – Tập huấn kỹ thuật trồng cây ăn quả",
            "62.5",
            "62.5",
            "NN",
            priority=3,
            rank=6,
            weight=Decimal(1),
            expenditure="recurrent",
        ),
        line(
            "line-5",
            "Dòng 5 – Công trình cấp nước sinh hoạt tập trung thôn Nà",
            "190",
            "200",
            "NS",
            priority=1,
            rank=5,
            weight=Decimal(3),
        ),
        line(
            "line-4",
            "Dòng 4 – Cứng hóa đường vào khu sản xuất thôn Nà",
            "200",
            "240",
            "HT-GT",
            priority=2,
            rank=4,
            weight=Decimal(2),
            proposed_source="NS-X",
        ),
        line(
            "line-3",
            "Dòng 3 – Bê tông hóa đường nội đồng thôn Bãi",
            "350",
            "370",
            "HT-GT",
            priority=2,
            rank=3,
            weight=Decimal(2),
        ),
        line(
            "line-2",
            "Dòng 2 – Xây phòng học mẫu giáo thôn Đồng",
            "300",
            "340",
            "GD-MN",
            priority=1,
            rank=2,
            weight=Decimal(3),
            proposed_source="NS-X",
        ),
        line(
            "line-1",
            "Dòng 1 – Bê tông hóa đường xóm Trên",
            "400",
            "460",
            "HT-GT",
            priority=1,
            rank=1,
            weight=Decimal(3),
        ),
    ]
    return pots, lines


NO_POT_FOR_WATER = (
    "Không có nguồn vốn nào trong khung nguồn lực phù hợp với dòng này: "
    f"{ROADS}: chỉ dành cho lĩnh vực Hạ tầng: giao thông; "
    "NTP26 chi sự nghiệp: chỉ dành cho chi sự nghiệp; "
    "Ngân sách xã: cần dân đóng góp ít nhất 10% kinh phí (20 triệu), dòng này có 10 triệu."
)
NO_NEED = "Không cần hỗ trợ từ bên ngoài: cộng đồng tự đảm nhận toàn bộ kinh phí."


def summary(outcomes: list[Outcome]) -> list[tuple[str, bool, dict[str, Decimal], str]]:
    return [(o.key, o.funded, o.draws, o.reason.text) for o in outcomes]


def test_worked_example_greedy() -> None:
    pots, lines = example()
    outcomes = allocate_greedy(pots, lines)
    assert summary(outcomes) == [
        ("line-1", True, {"env-1": Decimal(400)}, f"Được bố trí vốn: {ROADS} 400 triệu."),
        ("line-2", True, {"env-2": Decimal(300)}, "Được bố trí vốn: Ngân sách xã 300 triệu."),
        ("line-5", False, {}, NO_POT_FOR_WATER),
        ("line-3", False, {}, f"Vượt khung vốn {ROADS}: còn 120 triệu, cần 350 triệu."),
        ("line-4", True, {"env-2": Decimal(200)}, "Được bố trí vốn: Ngân sách xã 200 triệu."),
        (
            "line-6",
            True,
            {"env-3": Decimal("62.5")},
            "Được bố trí vốn: NTP26 chi sự nghiệp 62,5 triệu.",
        ),
        ("line-7", True, {}, NO_NEED),
    ]
    assert objective(outcomes, lines) == Decimal("2562.5")
    assert outcomes[3].reason.params == {"pots": [ROADS], "left": "120", "need": "350"}


def test_worked_example_optimal() -> None:
    pots, lines = example()
    outcomes = allocate_optimal(pots, lines)
    assert summary(outcomes) == [
        (
            "line-1",
            True,
            {"env-1": Decimal(170), "env-2": Decimal(230)},
            f"Được bố trí vốn: {ROADS} 170 triệu; Ngân sách xã 230 triệu.",
        ),
        ("line-2", True, {"env-2": Decimal(300)}, "Được bố trí vốn: Ngân sách xã 300 triệu."),
        ("line-5", False, {}, NO_POT_FOR_WATER),
        ("line-3", True, {"env-1": Decimal(350)}, f"Được bố trí vốn: {ROADS} 350 triệu."),
        (
            "line-4",
            False,
            {},
            f"Vượt khung vốn của các nguồn phù hợp (Ngân sách xã, {ROADS}): "
            "tất cả còn 0 triệu, cần 200 triệu.",
        ),
        (
            "line-6",
            True,
            {"env-3": Decimal("62.5")},
            "Được bố trí vốn: NTP26 chi sự nghiệp 62,5 triệu.",
        ),
        ("line-7", True, {}, NO_NEED),
    ]
    assert objective(outcomes, lines) == Decimal("2862.5")


def test_worked_example_counterpart_refusal() -> None:
    pots, lines = example()
    road_ban = next(line for line in lines if line.key == "line-3")
    assert eligibility(pots[0], road_ban) is None  # 5 % of 370 = 18,5 <= 20
    assert eligibility(pots[1], road_ban) == (
        "cần dân đóng góp ít nhất 10% kinh phí (37 triệu), dòng này có 20 triệu"
    )


def test_reasons_can_be_rebuilt_in_another_language() -> None:
    pots, lines = example()
    short = by_key(allocate_greedy(pots, lines))["line-3"].reason
    assert short.code == "short"
    with translation.override("en"):
        assert render(short.code, short.params) == (
            f"Over the {ROADS} envelope: 120 million left, 350 million needed."
        )
    water = by_key(allocate_greedy(pots, lines))["line-5"].reason
    with translation.override("en"):
        assert render(water.code, water.params).endswith(
            "Ngân sách xã: needs a community contribution of at least 10% of the cost "
            "(20 million); the line has 10 million."
        )


# --- eligibility --------------------------------------------------------------------------------


def test_eligibility_checks_the_rules_in_order() -> None:
    pot = make_pot("p", 100, sector_code="GD-MN", expenditure="recurrent", counterpart_pct=50)
    line = make_line("c", 10, ineligible={"p": "ngoài địa bàn áp dụng"})
    assert eligibility(pot, line) == "ngoài địa bàn áp dụng"
    line = make_line("c", 10)
    assert eligibility(pot, line) == "chỉ dành cho lĩnh vực GD-MN"  # no sector name: the code
    line = make_line("c", 10, sector_code="GD-MN")
    assert eligibility(pot, line) == "chỉ dành cho chi sự nghiệp"
    line = make_line("c", 10, sector_code="GD-MN", expenditure="recurrent")
    assert eligibility(pot, line) == (
        "cần dân đóng góp ít nhất 50% kinh phí (5 triệu), dòng này có 0 triệu"
    )


def test_eligibility_investment_and_boundary_of_counterpart() -> None:
    pot = make_pot("p", 100, expenditure="investment", counterpart_pct="12.5")
    assert eligibility(pot, make_line("c", 10, expenditure="recurrent")) == (
        "chỉ dành cho chi đầu tư phát triển"
    )
    exactly = make_line("c", 70, total_cost=Decimal(80), contribution=Decimal(10))
    assert eligibility(pot, exactly) is None  # 12,5 % of 80 = 10
    below = make_line("c", "70.001", total_cost=Decimal("80.001"), contribution=Decimal(10))
    assert eligibility(pot, below) == (
        "cần dân đóng góp ít nhất 12,5% kinh phí (10,001 triệu), dòng này có 10 triệu"
    )


# --- drawing order and formatting ---------------------------------------------------------------


def test_greedy_draws_in_drawing_order() -> None:
    pots = [
        make_pot("a", 40, source_code="NS-X", order=0),
        make_pot("b", 40, source_code="NTP26", order=5),  # the source asked for: first
        make_pot("c", 40, source_code="NS-X", sector_code="HT-GT", order=9),  # sector-bound
        make_pot("d", 40, source_code="NS-X", order=0),  # same order as "a": by key
    ]
    line = make_line("c1", 150, proposed_source="NTP26")
    [outcome] = allocate_greedy(pots, [line])
    assert list(outcome.draws.items()) == [
        ("b", Decimal(40)),
        ("c", Decimal(40)),
        ("a", Decimal(40)),
        ("d", Decimal(30)),
    ]


@MODES
def test_amounts_are_written_the_vietnamese_way(allocate: Allocate) -> None:
    pots = [make_pot("p", 2000, label="Ngân sách xã")]
    [outcome] = allocate(pots, [make_line("c", "1234.5")])
    assert outcome.reason.text == "Được bố trí vốn: Ngân sách xã 1.234,5 triệu."
    assert outcome.reason.params == {"draws": [{"pot": "Ngân sách xã", "amount": "1234.5"}]}


@MODES
def test_lower_priority_lines_use_what_is_left(allocate: Allocate) -> None:
    pots = [make_pot("p", 100)]
    lines = [
        make_line("big", 150, priority=1),
        make_line("small", 80, priority=2),
    ]
    outcomes = by_key(allocate(pots, lines))
    assert not outcomes["big"].funded
    assert outcomes["small"].draws == {"p": Decimal(80)}


@MODES
def test_interchangeable_lines_go_to_the_better_placed_one(allocate: Allocate) -> None:
    pots = [make_pot("p", 100)]
    lines = [  # the better-placed line has the later key
        make_line("a", 100, priority=2, rank=1),
        make_line("z", 100, priority=1, rank=9),
    ]
    outcomes = allocate(pots, lines)
    assert [(o.key, o.funded) for o in outcomes] == [("z", True), ("a", False)]


def test_optimiser_prefers_the_earlier_of_lines_of_equal_value() -> None:
    # "one" and "four" are worth 3 × 100 each and only one fits; "five" and "two" together are
    # worth less (3 × 50 + 50), "six" does not fit at all. Left alone, the solver picks "four".
    pots = [make_pot("p", 100)]
    lines = [
        make_line("one", 100, rank=1, weight=Decimal(3), sector_code="X"),
        make_line("two", 50, rank=2, sector_code="Y"),
        make_line("three", 50, rank=3, sector_code="Y"),
        make_line("four", 100, rank=4, weight=Decimal(3), sector_code="X"),
        make_line("six", 150, rank=5, weight=Decimal(3), sector_code="Y"),
        make_line("five", 50, rank=6, weight=Decimal(3), sector_code="X"),
    ]
    outcomes = allocate_optimal(pots, lines)
    assert [o.key for o in outcomes if o.funded] == ["one"]


# --- edge cases ---------------------------------------------------------------------------------


@MODES
def test_no_candidates(allocate: Allocate) -> None:
    assert allocate([make_pot("p", 100)], []) == []
    assert allocate([], []) == []


@MODES
def test_no_pots(allocate: Allocate) -> None:
    outcomes = allocate([], [make_line("c", 10), make_line("free", 0, rank=2)])
    assert summary(outcomes) == [
        ("c", False, {}, "Khung nguồn lực chưa có nguồn vốn nào."),
        ("free", True, {}, NO_NEED),
    ]


@MODES
def test_zero_capacity(allocate: Allocate) -> None:
    [outcome] = allocate([make_pot("p", 0, label="NTP26")], [make_line("c", 50)])
    assert not outcome.funded
    assert outcome.reason.text == "Vượt khung vốn NTP26: còn 0 triệu, cần 50 triệu."


@MODES
def test_need_zero_is_funded_without_draws(allocate: Allocate) -> None:
    [outcome] = allocate([make_pot("p", 100)], [make_line("c", 0, total_cost=Decimal(30))])
    assert outcome.funded
    assert outcome.draws == {}
    assert outcome.reason.code == "no_need"
    assert outcome.reason.text == NO_NEED


@MODES
def test_candidate_eligible_for_nothing(allocate: Allocate) -> None:
    pots = [make_pot(f"p{j}", 100, label=f"Nguồn {j}", sector_code="NS") for j in range(5)]
    [outcome] = allocate(pots, [make_line("c", 10)])
    assert not outcome.funded
    assert outcome.reason.code == "no_pot"
    assert outcome.reason.params["more"] == 2
    assert outcome.reason.text == (
        "Không có nguồn vốn nào trong khung nguồn lực phù hợp với dòng này: "
        "Nguồn 0: chỉ dành cho lĩnh vực NS; Nguồn 1: chỉ dành cho lĩnh vực NS; "
        "Nguồn 2: chỉ dành cho lĩnh vực NS; …."
    )


def test_optimiser_refuses_more_than_three_decimals() -> None:
    pots = [make_pot("p", 100)]
    with pytest.raises(ValueError, match="more than 3 decimals"):
        allocate_optimal(pots, [make_line("c", "0.0005")])
    with pytest.raises(ValueError, match="more than 3 decimals"):
        allocate_optimal([make_pot("p", "100.0001")], [make_line("c", 1)])
    [outcome] = allocate_greedy(pots, [make_line("c", "0.0005")])
    assert outcome.draws == {"p": Decimal("0.0005")}


@MODES
def test_bad_input_is_refused(allocate: Allocate) -> None:
    with pytest.raises(ValueError, match="same key"):
        allocate([make_pot("p", 1), make_pot("p", 2)], [])
    with pytest.raises(ValueError, match="same key"):
        allocate([], [make_line("c", 1), make_line("c", 2)])
    with pytest.raises(ValueError, match="need must be 0 or more"):
        allocate([], [make_line("c", -1)])
    with pytest.raises(ValueError, match="capacity must be 0 or more"):
        allocate([make_pot("p", -1)], [])


def test_optimiser_refuses_weights_that_are_not_positive() -> None:
    with pytest.raises(ValueError, match="weight must be more than 0"):
        allocate_optimal([make_pot("p", 1)], [make_line("c", 1, weight=Decimal(0))])


def test_unknown_reason_code() -> None:
    with pytest.raises(ValueError, match="unknown reason code"):
        render("lost", {})
