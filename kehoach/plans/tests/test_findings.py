"""Findings of a village plan: SWOT (F3), problems (F4), the ranking matrix (F5) and the
priorities it sets on proposals; the two pages and their forms.

Messages are compared with ``gettext`` of their English msgid, computed here: the suite runs in
Vietnamese, and whatever the catalogue says is what the user reads.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import AuditEntry
from kehoach.catalog.models import Sector
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError
from kehoach.geo.tests.factories import VillageFactory, dong_hoi, hai_lang
from kehoach.plans.choices import PlanStatus
from kehoach.plans.models import (
    Problem,
    ProposalLine,
    RankingItem,
    Solution,
    SwotEntry,
    VillagePlan,
)
from kehoach.plans.services.findings import (
    SCORE_MAX,
    SCORE_MIN,
    multiline_nfc,
    one_per_line,
    problem_create,
    problem_delete,
    problem_update,
    problems_of,
    ranking_apply_priorities,
    ranking_item_create,
    ranking_item_delete,
    ranking_item_update,
    ranking_table,
    swot_delete,
    swot_save,
)
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db

CRITERIA = [
    {"code": "people", "name": "Ảnh hưởng nhiều người", "name_en": "Most people", "weight": 2},
    {"code": "urgency", "name": "Cần giải quyết trước", "name_en": "Urgent", "weight": 1},
]


@pytest.fixture
def plan() -> VillagePlan:
    return f.village_plan()


@pytest.fixture
def planner(plan: VillagePlan) -> Any:
    return commune_planner(plan.village.parent)


@pytest.fixture
def client_planner(client: Client, planner: Any) -> Client:
    client.force_login(planner)
    return client


def _swot(actor: Any, plan: VillagePlan, sector: Sector, **texts: str) -> SwotEntry:
    values: dict[str, Any] = {
        "strengths": "",
        "weaknesses": "",
        "opportunities": "",
        "threats": "",
        "implication": "",
        **texts,
    }
    return swot_save(actor=actor, plan=plan, sector=sector, **values)


def _problem_data(*, lines: list[Any] | None = None, **overrides: Any) -> dict[str, Any]:
    """A valid problem with one solution, linked to ``lines``."""
    data: dict[str, Any] = {
        "sector": f.sector(),
        "problem": "Đường liên thôn lầy lội vào mùa mưa",
        "affected_households": 80,
        "affected_poor": 12,
        "affected_women": 150,
        "affected_em": 5,
        "causes": "Đường đất\nKhông có rãnh thoát nước",
        "solutions": [{"text": "Bê tông hóa đường thôn", "lines": list(lines or [])}],
        "priority": None,
    }
    data.update(overrides)
    return data


def _audits(obj: Any, pk: int | None = None) -> list[str]:
    """Operations recorded on ``obj`` (give ``pk`` once it is deleted), oldest first."""
    return list(
        AuditEntry.objects.filter(
            subject_label=obj._meta.label_lower, subject_id=str(pk or obj.pk)
        ).values_list("operation", flat=True)
    )


def _lock(plan: VillagePlan) -> None:
    plan.status = PlanStatus.SUBMITTED
    plan.save()


# --- text -------------------------------------------------------------------------------------


def test_texts_are_nfc_line_by_line_and_keep_line_breaks() -> None:
    decomposed = unicodedata.normalize("NFD", "Đường  đất ")
    assert multiline_nfc(f"\n{decomposed}\n\n\n  Thiếu nước\n\n") == "Đường đất\n\nThiếu nước"
    assert one_per_line(f"- {decomposed}\n\n• Thiếu vốn\n2. Thiếu kỹ thuật") == (
        "Đường đất\nThiếu vốn\nThiếu kỹ thuật"
    )


# --- F3: SWOT ---------------------------------------------------------------------------------


def test_swot_is_created_then_updated_one_per_sector(plan: VillagePlan, planner: Any) -> None:
    sector = f.sector()
    strengths = unicodedata.normalize("NFD", "Người dân  đồng lòng\nCó đất làm đường")
    entry = _swot(planner, plan, sector, strengths=strengths, threats="Mưa lũ")

    assert entry.strengths == "Người dân đồng lòng\nCó đất làm đường"
    assert unicodedata.is_normalized("NFC", entry.strengths)

    again = _swot(planner, plan, sector, strengths="Có đất", implication="Ưu tiên đường")
    assert again.pk == entry.pk
    assert SwotEntry.objects.filter(plan=plan).count() == 1
    entry.refresh_from_db()
    assert (entry.strengths, entry.threats, entry.implication) == ("Có đất", "", "Ưu tiên đường")
    assert _audits(entry) == ["create", "update"]
    update = AuditEntry.objects.get(subject_id=str(entry.pk), operation="update")
    assert update.before["threats"] == "Mưa lũ" and update.after["threats"] == ""

    other = _swot(planner, plan, f.sector("GD", "Giáo dục", 90), weaknesses="Thiếu phòng học")
    assert other.pk != entry.pk
    assert SwotEntry.objects.filter(plan=plan).count() == 2

    pk = entry.pk
    swot_delete(actor=planner, entry=entry)
    assert not SwotEntry.objects.filter(pk=pk).exists()
    assert _audits(entry, pk) == ["create", "update", "delete"]


def test_swot_needs_an_active_sector_and_some_text(plan: VillagePlan, planner: Any) -> None:
    retired = Sector.objects.create(code="CU", name="Lĩnh vực cũ", is_active=False)
    with pytest.raises(ApplicationError) as caught:
        _swot(planner, plan, retired, strengths="Có đất")
    assert caught.value.code == "sector_invalid"
    assert caught.value.where.field == "sector"
    assert caught.value.message == gettext(
        "Sector: choose a sector from the list of sectors in use."
    )

    with pytest.raises(ApplicationError) as caught:
        _swot(planner, plan, f.sector(), implication="Chỉ có ý nghĩa")
    assert caught.value.code == "swot_empty"
    assert caught.value.where.field == "strengths"
    assert not SwotEntry.objects.exists()


# --- F4: problems -----------------------------------------------------------------------------


def test_problem_with_causes_and_solutions_each_linked_to_its_proposals(
    plan: VillagePlan, planner: Any
) -> None:
    first = f.line(plan, number=1, activity="Bê tông hóa đường thôn")
    second = f.line(plan, number=2, activity="Làm rãnh thoát nước")
    third = f.line(plan, number=3, activity="Cống qua đường")
    problem = problem_create(
        actor=planner,
        plan=plan,
        data=_problem_data(
            causes="- Đường đất\n\n- Không có rãnh",
            solutions=[
                {"text": "- Bê tông hóa đường", "lines": [first]},
                {"text": "", "lines": []},  # an empty form row is skipped
                {"text": "Làm rãnh và cống thoát nước", "lines": [third, second]},
                {"text": "Nhân dân góp ngày công", "lines": []},
            ],
            affected_households="1.200",
            priority=1,
        ),
    )

    assert problem.cause_list() == ["Đường đất", "Không có rãnh"]
    assert problem.affected_households == 1200
    shown = [
        (s.position, s.text, [str(line) for line in s.lines.all()])
        for s in problems_of(plan).get().solutions.all()
    ]
    assert shown == [
        (1, "Bê tông hóa đường", ["1. Bê tông hóa đường thôn"]),
        (2, "Làm rãnh và cống thoát nước", ["2. Làm rãnh thoát nước", "3. Cống qua đường"]),
        (3, "Nhân dân góp ngày công", []),
    ]
    assert list(Solution.objects.filter(lines=first)) == [problem.solutions.get(position=1)]
    created = AuditEntry.objects.get(subject_id=str(problem.pk), operation="create")
    assert created.after["solutions"] == [
        "Bê tông hóa đường → 1. Bê tông hóa đường thôn",
        "Làm rãnh và cống thoát nước → 2. Làm rãnh thoát nước; 3. Cống qua đường",
        "Nhân dân góp ngày công",
    ]

    # fields left out keep their values, solutions included
    problem_update(actor=planner, problem=problem, data={"affected_em": 0})
    assert problem.solutions.count() == 3
    problem_update(
        actor=planner,
        problem=problem,
        data={"solutions": [{"text": "Bê tông hóa đường", "lines": [first, second]}]},
    )
    problem.refresh_from_db()
    assert problem.problem == "Đường liên thôn lầy lội vào mùa mưa"  # kept
    assert [list(s.lines.all()) for s in problem.solutions.all()] == [[first, second]]
    first_update, second_update = AuditEntry.objects.filter(
        subject_id=str(problem.pk), operation="update"
    ).order_by("id")
    assert first_update.before["affected_em"] == 5 and first_update.after["affected_em"] == 0
    assert second_update.after["solutions"] == [
        "Bê tông hóa đường → 1. Bê tông hóa đường thôn; 2. Làm rãnh thoát nước"
    ]

    pk = problem.pk
    problem_delete(actor=planner, problem=problem)
    assert not Problem.objects.exists()
    assert ProposalLine.objects.count() == 3
    assert _audits(problem, pk) == ["create", "update", "update", "delete"]


def test_a_solution_with_proposals_needs_its_text(plan: VillagePlan, planner: Any) -> None:
    line = f.line(plan, number=1)
    with pytest.raises(ApplicationErrors) as caught:
        problem_create(
            actor=planner,
            plan=plan,
            data=_problem_data(
                solutions=[{"text": "Đường", "lines": []}, {"text": " ", "lines": [line]}]
            ),
        )
    assert (caught.value.where.field, caught.value.where.row) == ("solutions", 2)
    assert caught.value.message == gettext(
        "Solution %(row)s: write the solution that the ticked proposals came from, or untick them."
    ) % {"row": 2}
    assert not Problem.objects.exists()


def test_solutions_may_be_given_as_text_one_per_line(plan: VillagePlan, planner: Any) -> None:
    problem = problem_create(
        actor=planner, plan=plan, data=_problem_data(solutions="- Bê tông hóa\n\n2. Làm rãnh")
    )
    assert [s.text for s in problem.solutions.all()] == ["Bê tông hóa", "Làm rãnh"]


def test_problem_without_text_is_refused_and_nothing_saved(plan: VillagePlan, planner: Any) -> None:
    with pytest.raises(ApplicationErrors) as caught:
        problem_create(actor=planner, plan=plan, data=_problem_data(problem="  \n "))
    assert caught.value.code == "problem_required"
    assert caught.value.where.field == "problem"
    assert caught.value.message == gettext(
        "Problem: describe the problem the village faces; it cannot be empty."
    )
    assert not Problem.objects.exists()
    assert not AuditEntry.objects.exists()


def test_poor_and_em_households_cannot_exceed_households_affected(
    plan: VillagePlan, planner: Any
) -> None:
    with pytest.raises(ApplicationErrors) as caught:
        problem_create(
            actor=planner,
            plan=plan,
            data=_problem_data(affected_households=10, affected_poor=12, affected_em=11),
        )
    by_field = {e.where.field: e for e in caught.value.errors}
    assert set(by_field) == {"affected_poor", "affected_em"}
    assert by_field["affected_poor"].message == gettext(
        "Of which poor: the poor households (%(poor)s) cannot be more than the households "
        "affected (%(households)s)."
    ) % {"poor": "12", "households": "10"}
    assert by_field["affected_em"].message == gettext(
        "Of which ethnic minority: the ethnic-minority households (%(em)s) cannot be more than "
        "the households affected (%(households)s)."
    ) % {"em": "11", "households": "10"}
    assert not Problem.objects.exists()


def test_problem_numbers_and_priority_are_checked(plan: VillagePlan, planner: Any) -> None:
    with pytest.raises(ApplicationErrors) as caught:
        problem_create(
            actor=planner,
            plan=plan,
            data=_problem_data(affected_women=-3, affected_households="2,5", priority=2),
        )
    by_field = {e.where.field: e for e in caught.value.errors}
    assert set(by_field) == {"affected_women", "affected_households", "priority"}
    label = str(Problem._meta.get_field("affected_women").verbose_name).capitalize()
    assert by_field["affected_women"].message == gettext(
        "%(field)s: enter a whole number, 0 or more."
    ) % {"field": label}
    assert by_field["priority"].message == gettext(
        "Problem priority: enter a whole number from 1 to %(max)s (the number of problems), "
        "or leave it empty."
    ) % {"max": 1}


def test_linking_a_line_of_another_plan_is_not_found(plan: VillagePlan, planner: Any) -> None:
    other_plan = f.village_plan(VillageFactory.create(parent=hai_lang(), name="Thôn Mỹ Chánh"))
    foreign = f.line(other_plan, number=1)
    with pytest.raises(NotFoundError):
        problem_create(actor=planner, plan=plan, data=_problem_data(lines=[foreign]))
    assert not Problem.objects.exists()

    deleted = f.line(plan, number=1)
    deleted.deleted_at = timezone.now()
    deleted.save()
    with pytest.raises(NotFoundError):
        problem_create(actor=planner, plan=plan, data=_problem_data(lines=[deleted]))
    with pytest.raises(NotFoundError):
        ranking_item_create(actor=planner, plan=plan, label="Đường", line=foreign)
    assert not Problem.objects.exists()
    assert not RankingItem.objects.exists()


# --- F5: ranking ------------------------------------------------------------------------------


def test_totals_use_weights_and_equal_totals_share_a_rank(plan: VillagePlan, planner: Any) -> None:
    f.profile(ranking_criteria=CRITERIA)
    plan.refresh_from_db()

    def add(label: str, **scores: Any) -> RankingItem:
        return ranking_item_create(actor=planner, plan=plan, label=label, scores=scores)

    unscored = add("Chưa chấm")
    fourth = add("Nước sạch", people=4, urgency=2)  # 2×4 + 1×2 = 10
    second_a = add("Đường", people=5, urgency=3)  # 13
    first = add("Trường học", people=5, urgency=5)  # 15
    second_b = add("Điện", people=4, urgency=5)  # 13
    partial = add("Chợ", people="", urgency=1)  # only urgency scored: 1

    rows = ranking_table(plan)
    assert [(r.item.pk, r.total, r.rank) for r in rows] == [
        (first.pk, Decimal(15), 1),
        (second_a.pk, Decimal(13), 2),
        (second_b.pk, Decimal(13), 2),
        (fourth.pk, Decimal(10), 4),
        (partial.pk, Decimal(1), 5),
        (unscored.pk, Decimal(0), None),
    ]
    assert rows[0].cells == [5, 5]
    assert rows[4].cells == [None, 1] and rows[4].missing == 1
    assert partial.scores == {"urgency": 1}
    assert RankingItem.objects.get(pk=first.pk).scores == {"people": 5, "urgency": 5}


def test_scores_outside_the_bounds_are_refused(plan: VillagePlan, planner: Any) -> None:
    f.profile(ranking_criteria=CRITERIA)
    plan.refresh_from_db()
    with pytest.raises(ApplicationErrors) as caught:
        ranking_item_create(
            actor=planner,
            plan=plan,
            label="",
            scores={"people": SCORE_MAX + 1, "urgency": SCORE_MIN - 1, "cost": 3},
        )
    by_place = {(e.where.field, e.where.column): e for e in caught.value.errors}
    assert set(by_place) == {
        ("label", None),
        ("scores", "people"),
        ("scores", "urgency"),
        ("scores", "cost"),
    }
    assert by_place[("scores", "people")].message == gettext(
        "%(criterion)s: the score must be a whole number from %(min)s to %(max)s, or empty if "
        "not yet scored."
    ) % {"criterion": "Ảnh hưởng nhiều người", "min": SCORE_MIN, "max": SCORE_MAX}
    assert by_place[("label", None)].message == gettext(
        "Problem or activity: enter the problem or activity to be scored."
    )
    assert not RankingItem.objects.exists()


def test_ranking_item_update_and_delete_are_audited(plan: VillagePlan, planner: Any) -> None:
    line = f.line(plan, number=1)
    item = ranking_item_create(actor=planner, plan=plan, label="Đường", scores={"urgency": 3})
    ranking_item_update(actor=planner, item=item, label="Đường thôn", line=line, scores={})
    item.refresh_from_db()
    assert (item.label, item.line, item.scores) == ("Đường thôn", line, {})
    pk = item.pk
    ranking_item_delete(actor=planner, item=item)
    assert _audits(item, pk) == ["create", "update", "delete"]
    update = AuditEntry.objects.get(subject_id=str(pk), operation="update")
    assert update.before["scores"] == {"urgency": 3} and update.after["line"] == str(line)


def test_apply_priorities_gives_the_best_ranked_lines_of_each_sector_1_2_3(
    plan: VillagePlan, planner: Any
) -> None:
    f.profile(ranking_criteria=CRITERIA)
    plan.refresh_from_db()
    school = f.sector("GD", "Giáo dục", 90)
    lines = [f.line(plan, number=n, priority=None) for n in range(1, 5)]
    lines[3].priority = 2
    lines[3].save()
    school_line = f.line(plan, number=5, sector=school, priority=None)
    f.line(plan, number=6, priority=3)  # not linked: left as it is
    # Totals: line 3 → 15; lines 1 and 4 → 13 (tie, broken by line number); line 2 → 10.
    for line, scores in [
        (lines[0], {"people": 5, "urgency": 3}),
        (lines[1], {"people": 4, "urgency": 2}),
        (lines[2], {"people": 5, "urgency": 5}),
        (lines[3], {"people": 4, "urgency": 5}),
        (school_line, {"people": 1}),
    ]:
        ranking_item_create(actor=planner, plan=plan, label=line.activity, line=line, scores=scores)
    ranking_item_create(actor=planner, plan=plan, label="Không gắn", scores={"people": 5})
    versions = {line.pk: line.version for line in ProposalLine.objects.all()}

    changed = ranking_apply_priorities(actor=planner, plan=plan)

    got = {line.number: line for line in ProposalLine.objects.all()}
    assert [got[n].priority for n in (3, 1, 4, 2)] == [1, 2, 3, None]
    assert got[5].priority == 1
    assert got[6].priority == 3
    assert changed == 4  # line 2 stays without priority
    for number in (1, 3, 4, 5):
        assert got[number].version == versions[got[number].pk] + 1
        entry = AuditEntry.objects.get(subject_id=str(got[number].pk), operation="update")
        assert entry.after == {"priority": got[number].priority}
    assert got[4].version == versions[got[4].pk] + 1
    assert AuditEntry.objects.get(subject_id=str(got[4].pk), operation="update").before == {
        "priority": 2
    }
    assert got[2].version == versions[got[2].pk]
    assert got[6].version == versions[got[6].pk]

    assert ranking_apply_priorities(actor=planner, plan=plan) == 0


def test_every_write_is_refused_on_a_submitted_plan(plan: VillagePlan, planner: Any) -> None:
    entry = _swot(planner, plan, f.sector(), strengths="Có đất")
    problem = problem_create(actor=planner, plan=plan, data=_problem_data())
    item = ranking_item_create(actor=planner, plan=plan, label="Đường")
    _lock(plan)
    writes = [
        lambda: _swot(planner, plan, f.sector(), strengths="Khác"),
        lambda: swot_delete(actor=planner, entry=entry),
        lambda: problem_create(actor=planner, plan=plan, data=_problem_data()),
        lambda: problem_update(actor=planner, problem=problem, data={"problem": "Khác"}),
        lambda: problem_delete(actor=planner, problem=problem),
        lambda: ranking_item_create(actor=planner, plan=plan, label="Điện"),
        lambda: ranking_item_update(actor=planner, item=item, label="Điện", line=None, scores={}),
        lambda: ranking_item_delete(actor=planner, item=item),
        lambda: ranking_apply_priorities(actor=planner, plan=plan),
    ]
    for write in writes:
        with pytest.raises(ApplicationError) as caught:
            write()
        assert caught.value.code == "plan_locked"
    entry.refresh_from_db()
    assert entry.strengths == "Có đất"
    assert Problem.objects.count() == 1 and RankingItem.objects.count() == 1


def test_someone_without_rights_gets_not_found(plan: VillagePlan) -> None:
    outsider = commune_planner(dong_hoi())
    with pytest.raises(NotFoundError):
        _swot(outsider, plan, f.sector(), strengths="Có đất")
    with pytest.raises(NotFoundError):
        ranking_apply_priorities(actor=outsider, plan=plan)


# --- pages ------------------------------------------------------------------------------------


def test_pages_show_the_tables_to_the_planner(
    client_planner: Client, plan: VillagePlan, planner: Any
) -> None:
    line = f.line(plan, number=1, activity="Bê tông hóa đường thôn")
    _swot(planner, plan, f.sector(), strengths="Người dân đồng lòng")
    problem_create(actor=planner, plan=plan, data=_problem_data(lines=[line]))
    ranking_item_create(actor=planner, plan=plan, label="Đường thôn", line=line)

    response = client_planner.get(reverse("plans:findings", args=[plan.uid]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Người dân đồng lòng" in html
    assert "1. Bê tông hóa đường thôn" in html
    assert "Không có rãnh thoát nước" in html
    assert reverse("plans:findings_problem_create", args=[plan.uid]) in html

    response = client_planner.get(reverse("plans:ranking", args=[plan.uid]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Đường thôn" in html
    assert "Vấn đề ảnh hưởng đến nhiều người nhất" in html  # the default criteria
    assert reverse("plans:ranking_apply", args=[plan.uid]) in html


def test_planner_of_another_commune_gets_404(client: Client, plan: VillagePlan) -> None:
    client.force_login(commune_planner(dong_hoi()))
    assert client.get(reverse("plans:findings", args=[plan.uid])).status_code == 404
    assert client.get(reverse("plans:ranking", args=[plan.uid])).status_code == 404
    url = reverse("plans:findings_problem_create", args=[plan.uid])
    assert client.post(url, {"problem": "Đường"}).status_code == 404
    assert client.post(reverse("plans:ranking_apply", args=[plan.uid])).status_code == 404
    assert not Problem.objects.exists()


def test_a_reader_sees_the_pages_without_forms(client: Client, plan: VillagePlan) -> None:
    client.force_login(user_with_role(Role.COMMUNE_APPROVER, plan.village.parent))
    response = client.get(reverse("plans:findings", args=[plan.uid]))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("plans:findings_problem_create", args=[plan.uid]) not in html
    html = client.get(reverse("plans:ranking", args=[plan.uid])).content.decode()
    assert reverse("plans:ranking_apply", args=[plan.uid]) not in html
    url = reverse("plans:findings_swot_save", args=[plan.uid, f.sector().code])
    assert client.post(url, {"swot-HT-GT-strengths": "Có đất"}).status_code == 404


def test_swot_form_saves_and_refuses(client_planner: Client, plan: VillagePlan) -> None:
    url = reverse("plans:findings_swot_save", args=[plan.uid, f.sector().code])
    response = client_planner.post(
        url, {"swot-HT-GT-strengths": "Có đất\nNgười dân đồng lòng", "swot-HT-GT-threats": "Lũ"}
    )
    assert response.status_code == 302
    assert SwotEntry.objects.get().strengths == "Có đất\nNgười dân đồng lòng"

    response = client_planner.post(url, {"swot-HT-GT-implication": "Chỉ có ý nghĩa"})
    assert response.status_code == 400
    assert SwotEntry.objects.get().threats == "Lũ"
    assert (
        gettext(
            "Strengths: enter at least one strength, weakness, opportunity or threat of the sector."
        )
        in response.content.decode()
    )


def _solution_rows(*rows: tuple[str, list[str]]) -> dict[str, Any]:
    """The solutions formset of the problem form, as posted."""
    data: dict[str, Any] = {
        "solutions-TOTAL_FORMS": str(len(rows)),
        "solutions-INITIAL_FORMS": "0",
    }
    for i, (text, lines) in enumerate(rows):
        data[f"solutions-{i}-text"] = text
        data[f"solutions-{i}-lines"] = lines
    return data


def test_problem_forms_add_edit_refuse_and_delete(
    client_planner: Client, plan: VillagePlan
) -> None:
    line = f.line(plan, number=1)
    other = f.line(plan, number=2, activity="Làm rãnh thoát nước")
    form = {
        "sector": str(f.sector().pk),
        "problem": "Đường lầy lội",
        "affected_households": "80",
        "affected_poor": "12",
        "affected_women": "",
        "affected_em": "",
        "causes": "Đường đất",
        "priority": "",
        **_solution_rows(("Bê tông hóa", [str(line.pk)]), ("Làm rãnh", [str(other.pk)]), ("", [])),
    }
    url = reverse("plans:findings_problem_create", args=[plan.uid])
    page = client_planner.get(reverse("plans:findings", args=[plan.uid])).content.decode()
    assert 'name="solutions-0-text"' in page and 'name="solutions-1-lines"' in page
    assert client_planner.post(url, form).status_code == 302
    problem = Problem.objects.get()
    assert [(s.text, list(s.lines.all())) for s in problem.solutions.all()] == [
        ("Bê tông hóa", [line]),
        ("Làm rãnh", [other]),
    ]

    response = client_planner.post(url, {**form, "affected_poor": "90"})
    assert response.status_code == 400
    expected = gettext(
        "Of which poor: the poor households (%(poor)s) cannot be more than the households "
        "affected (%(households)s)."
    ) % {"poor": "90", "households": "80"}
    assert expected in response.content.decode()
    assert Problem.objects.count() == 1

    edit = reverse("plans:findings_problem_edit", args=[plan.uid, problem.pk])
    page = client_planner.get(edit).content.decode()
    assert 'value="Làm rãnh"' in page  # the saved solutions, then empty rows
    assert 'name="solutions-3-text"' in page
    changed = {**form, "problem": "Đường hỏng", **_solution_rows(("Bê tông hóa", [str(line.pk)]))}
    assert client_planner.post(edit, changed).status_code == 302
    problem.refresh_from_db()
    assert problem.problem == "Đường hỏng"
    assert [s.text for s in problem.solutions.all()] == ["Bê tông hóa"]
    assert client_planner.post(edit, {**form, "problem": ""}).status_code == 400
    refused = client_planner.post(edit, {**form, **_solution_rows(("", [str(line.pk)]))})
    assert refused.status_code == 400
    assert problem.solutions.count() == 1

    delete = reverse("plans:findings_problem_delete", args=[plan.uid, problem.pk])
    assert client_planner.post(delete).status_code == 302
    assert not Problem.objects.exists()


def test_ranking_forms_and_apply_button(client_planner: Client, plan: VillagePlan) -> None:
    line = f.line(plan, number=1, priority=None)
    criteria = plan.round.profile.ranking_criteria
    form = {"label": "Đường thôn", "line": str(line.pk)}
    form.update({f"score_{c['code']}": "4" for c in criteria})
    url = reverse("plans:ranking_create", args=[plan.uid])
    assert client_planner.post(url, form).status_code == 302
    item = RankingItem.objects.get()
    assert item.scores == {c["code"]: 4 for c in criteria}

    first = criteria[0]
    response = client_planner.post(url, {**form, f"score_{first['code']}": "7"})
    assert response.status_code == 400
    expected = gettext(
        "%(criterion)s: the score must be a whole number from %(min)s to %(max)s, or empty if "
        "not yet scored."
    ) % {"criterion": first["name"], "min": SCORE_MIN, "max": SCORE_MAX}
    assert expected in response.content.decode()
    assert RankingItem.objects.count() == 1

    edit = reverse("plans:ranking_edit", args=[plan.uid, item.pk])
    assert client_planner.get(edit).status_code == 200
    assert client_planner.post(edit, {**form, "label": ""}).status_code == 400
    assert client_planner.post(edit, {**form, "label": "Đường liên thôn"}).status_code == 302

    response = client_planner.post(reverse("plans:ranking_apply", args=[plan.uid]), follow=True)
    assert response.redirect_chain[-1][1] == 302
    line.refresh_from_db()
    assert line.priority == 1
    assert (
        ngettext(
            "The priority of %(count)s proposal was set from the ranking.",
            "The priorities of %(count)s proposals were set from the ranking.",
            1,
        )
        % {"count": 1}
        in response.content.decode()
    )

    delete = reverse("plans:ranking_delete", args=[plan.uid, item.pk])
    assert client_planner.post(delete).status_code == 302
    assert not RankingItem.objects.exists()


def test_posts_to_a_submitted_plan_change_nothing(
    client_planner: Client, plan: VillagePlan, planner: Any
) -> None:
    problem_create(actor=planner, plan=plan, data=_problem_data())
    _lock(plan)
    html = client_planner.get(reverse("plans:findings", args=[plan.uid])).content.decode()
    assert reverse("plans:findings_problem_create", args=[plan.uid]) not in html
    response = client_planner.post(
        reverse("plans:findings_problem_create", args=[plan.uid]),
        {"sector": str(f.sector().pk), "problem": "Khác"},
    )
    assert response.status_code == 302
    response = client_planner.post(reverse("plans:ranking_apply", args=[plan.uid]))
    assert response.status_code == 302
    assert Problem.objects.count() == 1


def test_page_queries_do_not_grow_with_rows(
    client_planner: Client, plan: VillagePlan, planner: Any
) -> None:
    def fill(start: int) -> None:
        for n in range(start, start + 5):
            line = f.line(plan, number=n)
            problem_create(actor=planner, plan=plan, data=_problem_data(lines=[line]))
            ranking_item_create(actor=planner, plan=plan, label=f"Mục {n}", line=line)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as findings:
            assert client_planner.get(reverse("plans:findings", args=[plan.uid])).status_code == 200
        with CaptureQueriesContext(connection) as ranking:
            assert client_planner.get(reverse("plans:ranking", args=[plan.uid])).status_code == 200
        return len(findings.captured_queries), len(ranking.captured_queries)

    fill(1)
    few = count()
    fill(6)
    assert count() == few
