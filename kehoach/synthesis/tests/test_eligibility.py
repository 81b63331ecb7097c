"""Eligibility rules that need the database (``services/eligibility.py``), through the real
services: the allocation (``allocation_run``) and the planner's decision by hand
(``line_decide``). Envelope lines restricted to classified villages (F1 row 19), to activity
words, and sources not in use in the plan year; each with the line it may pay for and the line it
may not, and the reason the village reads, word for word."""

from __future__ import annotations

import random
import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Sum
from django.test import Client

from kehoach.core.errors import ApplicationError
from kehoach.core.text import fold
from kehoach.geo.tests.factories import hai_lang
from kehoach.plans.models import BasicInfo, VillagePlan

from ..choices import AreaScope, Decision, LineState, VillageFlag
from ..models import CommuneLine, EnvelopeLine, LineFunding
from ..services.eligibility import keywords, matching_words
from ..services.envelope import envelope_line_create, envelope_line_update
from ..services.funding import allocation_run, line_decide
from ..services.lines import commune_line_create, commune_plan_synthesise, lines_merge
from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal
NO_POT = "Không có nguồn vốn nào trong khung nguồn lực phù hợp với dòng này: "


def _info(plan: VillagePlan, **values: Any) -> BasicInfo:
    """The village's basic information (F1) with its classifications."""
    return BasicInfo.objects.create(plan=plan, **{"total_households": 100, **values})


def _decisions(plan: Any) -> dict[str, tuple[str, str]]:
    return {x.activity: (x.decision, x.decision_reason) for x in plan.lines.active()}


def _build(lines: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """Villages named as the keys, each with its submitted lines; synthesised."""
    commune = hai_lang()
    plans = {}
    for name, village_lines in lines.items():
        (village,) = f.villages(commune, [name])
        plans[name] = f.submitted_plan(village, village_lines)
    round_ = f.round_of(commune)
    planner = f.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    return {
        "commune": commune,
        "round": round_,
        "planner": planner,
        "plan": f.commune_plan_for(round_),
        "plans": plans,
        "officer": f.province_officer(commune.parent),
    }


def _road(activity: str, **overrides: Any) -> dict[str, Any]:
    """A road of 300 million, 50 from the village: 250 of support, from NTP26."""
    values = {"sector": f.transport(), "proposed_source": f.ntp(), **overrides}
    return f.money_line("300", "50", activity=activity, **values)


# --- villages with a classification ------------------------------------------------------------

FLAGS = [
    (VillageFlag.EXTREMELY_DIFFICULT, {"is_extremely_difficult": True}, {},
     "thôn đặc biệt khó khăn"),
    (VillageFlag.P135, {"is_p135": True}, {}, "thôn thuộc Chương trình 135"),
    (VillageFlag.BORDER, {"is_border": True}, {}, "thôn biên giới"),
    # an ethnic-minority village: at least half of its households (50 of 100 is enough; 49 not)
    (
        VillageFlag.ETHNIC_MINORITY,
        {"em_households": 50},
        {"em_households": 49},
        "thôn vùng đồng bào dân tộc thiểu số",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("flag", "flagged", "plain", "label"), FLAGS, ids=[x[0] for x in FLAGS])
def test_money_for_classified_villages_goes_to_those_villages_only(
    flag: str, flagged: dict[str, Any], plain: dict[str, Any], label: str
) -> None:
    world = _build(
        {
            "Thôn Khe Sanh": [_road("Đường vào bản Khe Sanh")],
            "Thôn Mỹ Chánh": [_road("Đường ra đồng Mỹ Chánh")],
        }
    )
    _info(world["plans"]["Thôn Khe Sanh"], **flagged)
    _info(world["plans"]["Thôn Mỹ Chánh"], **plain)
    envelope = envelope_line_create(
        actor=world["officer"],
        round_=world["round"],
        data={
            "source": f.ntp(),
            "amount_mvnd": D("1000"),
            "area_scope": AreaScope.FLAGGED,
            "area_flags": [flag],
        },
    )
    allocation_run(actor=world["planner"], plan=world["plan"])
    assert _decisions(world["plan"]) == {
        "Đường vào bản Khe Sanh": (Decision.FUNDED, "Được bố trí vốn: NTP26 250 triệu."),
        "Đường ra đồng Mỹ Chánh": (Decision.UNFUNDED, f"{NO_POT}NTP26: chỉ dành cho {label}."),
    }
    # the same rule holds for a decision by hand, with the same words
    other = world["plan"].lines.get(activity="Đường ra đồng Mỹ Chánh")
    with pytest.raises(ApplicationError) as caught:
        line_decide(
            actor=world["planner"],
            line=other,
            decision=Decision.FUNDED,
            reason="Đường hư hỏng nặng",
            funding={envelope: D("250")},
        )
    assert caught.value.message == f"NTP26 không chi được cho dòng này: chỉ dành cho {label}."


def test_a_threshold_of_the_profile_decides_which_villages_are_ethnic_minority() -> None:
    world = _build({"Thôn Khe Sanh": [_road("Đường vào bản Khe Sanh")]})
    _info(world["plans"]["Thôn Khe Sanh"], em_households=40)
    profile = world["round"].profile
    profile.extra = {**(profile.extra or {}), "em_village_share_pct": 40}
    profile.save(update_fields=["extra"])
    f.envelope_line(
        world["round"],
        f.ntp(),
        "1000",
        area_scope=AreaScope.FLAGGED,
        area_flags=[VillageFlag.ETHNIC_MINORITY],
    )
    allocation_run(actor=world["planner"], plan=world["plan"])
    assert _decisions(world["plan"])["Đường vào bản Khe Sanh"][0] == Decision.FUNDED


def test_a_merged_line_needs_every_village_in_the_area_and_a_commune_line_none() -> None:
    world = _build(
        {
            "Thôn Khe Sanh": [_road("Đường liên thôn")],
            "Thôn Mỹ Chánh": [_road("Đường liên thôn")],
        }
    )
    _info(world["plans"]["Thôn Khe Sanh"], is_extremely_difficult=True)
    _info(world["plans"]["Thôn Mỹ Chánh"])
    f.envelope_line(
        world["round"],
        f.ntp(),
        "2000",
        area_scope=AreaScope.FLAGGED,
        area_flags=[VillageFlag.EXTREMELY_DIFFICULT],
    )
    plan, planner = world["plan"], world["planner"]
    merged = lines_merge(actor=planner, plan=plan, lines=list(plan.lines.all()))
    commune_line_create(
        actor=planner,
        plan=plan,
        data={
            **f.pf.line_data(sector=f.transport(), activity="Đường trục xã"),
            "organisation": "Ban Giao thông xã",
        },
    )
    allocation_run(actor=planner, plan=plan)
    expected = (Decision.UNFUNDED, f"{NO_POT}NTP26: chỉ dành cho thôn đặc biệt khó khăn.")
    decisions = _decisions(plan)
    assert decisions[merged.activity] == expected
    assert decisions["Đường trục xã"] == expected
    # once the other village is classified too, the merged line may use the money
    BasicInfo.objects.filter(plan=world["plans"]["Thôn Mỹ Chánh"]).update(
        is_extremely_difficult=True
    )
    allocation_run(actor=planner, plan=plan)
    assert _decisions(plan)[merged.activity][0] == Decision.FUNDED
    assert _decisions(plan)["Đường trục xã"] == expected


# --- eligible activities --------------------------------------------------------------------------


def test_activity_words_are_kept_as_typed_and_matched_without_diacritics(client: Client) -> None:
    world = _build(
        {
            "Thôn Diên Sanh": [
                _road("Bê tông hóa ĐƯỜNG xóm Trên"),
                _road("Sửa cau treo qua khe"),  # typed without diacritics
                _road("Sửa phòng học mẫu giáo", sector=f.education()),
            ]
        }
    )
    typed = unicodedata.normalize("NFD", "đường,  cầu ; Đường,")
    envelope = envelope_line_create(
        actor=world["officer"],
        round_=world["round"],
        data={"source": f.ntp(), "amount_mvnd": D("1000"), "activity_keywords": typed},
    )
    envelope.refresh_from_db()
    assert envelope.activity_keywords == "đường, cầu"
    assert unicodedata.is_normalized("NFC", envelope.activity_keywords)
    allocation_run(actor=world["planner"], plan=world["plan"])
    assert _decisions(world["plan"]) == {
        "Bê tông hóa ĐƯỜNG xóm Trên": (Decision.FUNDED, "Được bố trí vốn: NTP26 250 triệu."),
        "Sửa cau treo qua khe": (Decision.FUNDED, "Được bố trí vốn: NTP26 250 triệu."),
        "Sửa phòng học mẫu giáo": (
            Decision.UNFUNDED,
            f"{NO_POT}NTP26: chỉ dành cho các hoạt động: đường, cầu.",
        ),
    }
    school = world["plan"].lines.get(activity="Sửa phòng học mẫu giáo")
    with pytest.raises(ApplicationError) as caught:
        line_decide(
            actor=world["planner"],
            line=school,
            decision=Decision.FUNDED,
            reason="Trường xuống cấp",
            funding={envelope: D("250")},
        )
    assert caught.value.message == (
        "NTP26 không chi được cho dòng này: chỉ dành cho các hoạt động: đường, cầu."
    )
    # the envelope page shows the words as typed
    client.force_login(world["planner"])
    page = client.get(f"/rounds/{world['round'].uid}/envelope/").content.decode()
    assert "hoạt động: đường, cầu" in page


def test_retyping_the_same_words_keeps_the_funding_and_other_words_take_it_back() -> None:
    world = _build({"Thôn Diên Sanh": [_road("Bê tông hóa đường xóm Trên")]})
    envelope = envelope_line_create(
        actor=world["officer"],
        round_=world["round"],
        data={"source": f.ntp(), "amount_mvnd": D("1000"), "activity_keywords": "duong"},
    )
    allocation_run(actor=world["planner"], plan=world["plan"])
    assert LineFunding.objects.count() == 1
    line, taken = envelope_line_update(
        actor=world["officer"], line=envelope, data={"activity_keywords": "Đường"}
    )
    assert (line.activity_keywords, taken) == ("Đường", 0)
    assert LineFunding.objects.count() == 1
    _line, taken = envelope_line_update(
        actor=world["officer"], line=envelope, data={"activity_keywords": "đường, kênh"}
    )
    assert taken == 1
    assert not LineFunding.objects.exists()


def test_keywords_split_on_commas_and_semicolons_and_fold_only_for_matching() -> None:
    assert keywords(" Đường  liên thôn ; cầu,, ĐƯỜNG LIÊN THÔN ") == ["Đường liên thôn", "cầu"]
    assert matching_words("Đường liên thôn; cầu") == ("duong lien thon", "cau")
    assert keywords("") == [] and matching_words("") == ()


# --- sources not in use in the plan year -------------------------------------------------------


@pytest.mark.parametrize(
    ("validity", "funded"),
    [
        ({"valid_from_year": 2021, "valid_to_year": 2025}, False),
        ({"valid_from_year": 2028}, False),
        ({"valid_from_year": 2021, "valid_to_year": 2027, "is_active": False}, False),
        ({"valid_from_year": 2021, "valid_to_year": 2027}, True),
        ({"valid_from_year": 2027}, True),
    ],
)
def test_a_source_pays_only_in_the_years_it_is_in_use(
    validity: dict[str, Any], funded: bool
) -> None:
    world = _build({"Thôn Diên Sanh": [_road("Bê tông hóa đường xóm Trên")]})
    old = f.source("NTM", **validity)
    # entered before the catalogue changed: the envelope service refuses such lines now
    envelope = f.envelope_line(world["round"], old, "1000")
    allocation_run(actor=world["planner"], plan=world["plan"])
    decision, reason = _decisions(world["plan"])["Bê tông hóa đường xóm Trên"]
    if funded:
        assert (decision, reason) == (Decision.FUNDED, "Được bố trí vốn: NTM 250 triệu.")
        return
    assert (decision, reason) == (
        Decision.UNFUNDED,
        f"{NO_POT}NTM: nguồn vốn không còn áp dụng trong năm 2027.",
    )
    with pytest.raises(ApplicationError) as caught:
        line_decide(
            actor=world["planner"],
            line=world["plan"].lines.get(),
            decision=Decision.FUNDED,
            reason="Vốn cũ còn lại",
            funding={envelope: D("250")},
        )
    assert caught.value.message == (
        "NTM không chi được cho dòng này: nguồn vốn không còn áp dụng trong năm 2027."
    )


# --- random envelopes and plans through the database --------------------------------------------

WORDS = ["đường", "cầu", "kênh", "phòng học", "nhà văn hóa"]


def _oracle_allows(
    envelope: EnvelopeLine, line: CommuneLine, flags: dict[int, set[str]], year: int
) -> bool:
    """Written apart from the service: may ``envelope`` pay for ``line``?"""
    source = envelope.source
    if not source.is_active:
        return False
    if source.valid_from_year and source.valid_from_year > year:
        return False
    if source.valid_to_year and source.valid_to_year < year:
        return False
    villages = {s.village_line.plan.village_id for s in line.sources.all() if not s.withdrawn}
    if envelope.area_scope == AreaScope.LISTED:
        listed = {v.pk for v in envelope.area_villages.all()}
        if not villages or not villages <= listed:
            return False
    if envelope.area_scope == AreaScope.FLAGGED:
        wanted = set(envelope.area_flags)
        if not villages or any(not (flags.get(v, set()) & wanted) for v in villages):
            return False
    words = [fold(w) for w in envelope.activity_keywords.split(",") if w.strip()]
    return not words or any(w.strip() in fold(line.activity) for w in words)


@pytest.mark.parametrize("seed", range(6))
def test_random_envelopes_never_pay_for_what_they_may_not(seed: int) -> None:
    rng = random.Random(seed)
    names = ["Thôn Một", "Thôn Hai", "Thôn Ba", "Thôn Bốn"]
    lines: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for i in range(10):
        word = rng.choice(WORDS)
        activity = rng.choice([f"Xây {word}", f"Sửa {fold(word)}", f"Nâng cấp {word.upper()}"])
        lines[rng.choice(names)].append(
            f.money_line(
                str(rng.choice([100, 200, 300])),
                str(rng.choice([0, 20, 50])),
                sector=f.transport(),
                activity=f"{activity} {i}",
                priority=rng.choice([1, 2, 3]),
            )
        )
    # the same work in two villages, merged below
    for name in names[:2]:
        lines[name].append(_road("Đường liên thôn chung"))
    world = _build(lines)
    all_flags = list(VillageFlag.values)
    flags: dict[int, set[str]] = {}
    for plan in world["plans"].values():
        chosen = {x for x in all_flags if rng.random() < 0.4}
        _info(
            plan,
            is_extremely_difficult=VillageFlag.EXTREMELY_DIFFICULT in chosen,
            is_p135=VillageFlag.P135 in chosen,
            is_border=VillageFlag.BORDER in chosen,
            em_households=60 if VillageFlag.ETHNIC_MINORITY in chosen else 10,
        )
        flags[plan.village_id] = chosen
    plan, planner = world["plan"], world["planner"]
    lines_merge(
        actor=planner, plan=plan, lines=list(plan.lines.filter(activity__startswith="Đường liên"))
    )
    villages = list(world["commune"].children.all())
    sources = [
        f.ntp(),
        f.commune_budget(),
        f.source("NTM", valid_from_year=2021, valid_to_year=2025),
    ]
    for _n in range(5):
        scope = rng.choice(AreaScope.values)
        line = f.envelope_line(
            world["round"],
            rng.choice(sources),
            str(rng.choice([400, 800, 1500])),
            area_scope=scope,
            area_flags=rng.sample(all_flags, 2) if scope == AreaScope.FLAGGED else [],
            activity_keywords=", ".join(rng.sample(WORDS, 2)) if rng.random() < 0.5 else "",
        )
        if scope == AreaScope.LISTED:
            line.area_villages.set(rng.sample(villages, 2))
    allocation_run(actor=planner, plan=plan)

    year = world["round"].plan_year
    active = {
        x.pk: x
        for x in plan.lines.filter(state=LineState.ACTIVE).prefetch_related(
            "sources__village_line__plan"
        )
    }
    funding = list(LineFunding.objects.select_related("envelope_line__source"))
    assert funding  # every seed funds something, so the checks below are not empty
    for draw in funding:
        assert _oracle_allows(draw.envelope_line, active[draw.line_id], flags, year), (
            draw.envelope_line.number,
            active[draw.line_id].activity,
        )
    for envelope in EnvelopeLine.objects.all():
        used = envelope.funding.aggregate(s=Sum("amount_mvnd"))["s"] or D(0)
        assert used <= envelope.amount_mvnd
    for line in active.values():
        drawn = sum((d.amount_mvnd for d in funding if d.line_id == line.pk), D(0))
        funded = line.decision == Decision.FUNDED and line.external_support_mvnd > 0
        assert drawn == (line.external_support_mvnd if funded else D(0))
        if line.decision == Decision.UNFUNDED and "chỉ dành cho" in line.decision_reason:
            assert not all(_oracle_allows(e, line, flags, year) for e in EnvelopeLine.objects.all())
