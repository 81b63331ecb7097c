"""Carry-over: each carried line passes this year's rules; a source no longer in use is left
empty with a note, anything else refuses the line with a message naming it; the page shows
both before anything is chosen."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext

from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.approvals.models import AuditEntry
from kehoach.core.errors import ApplicationError, ApplicationErrors, NotFoundError
from kehoach.geo.tests.factories import VillageFactory, hai_lang
from kehoach.plans.choices import LineOutcome, PlanStatus
from kehoach.plans.models import ProposalLine, VillagePlan
from kehoach.plans.services.carry_over import (
    carry_over,
    carry_over_candidates,
    carry_over_preview,
    register_carry_over_source,
    unregister_carry_over_source,
)
from kehoach.plans.tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def village() -> Any:
    return VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")


@pytest.fixture
def planner(village: Any) -> Any:
    return commune_planner(village.parent)


def _last_year_line(village: Any, **overrides: Any) -> ProposalLine:
    last_year = f.village_plan(village, year=2026)
    values: dict[str, Any] = {
        "outcome": LineOutcome.UNFUNDED,
        "start_month": datetime.date(2026, 9, 1),
        "end_month": datetime.date(2026, 11, 1),
        "proposed_source": f.source("NS-X", "Ngân sách xã", valid_from_year=None),
    }
    values.update(overrides)
    return f.line(last_year, **values)


def _ended_source() -> Any:
    """A programme that ended with 2026: valid for last year's plan, not for 2027."""
    return f.source("CT135", "Chương trình 135", valid_from_year=2021, valid_to_year=2026)


def _retired_sector() -> Any:
    sector = f.sector("LN-CU", "Lâm nghiệp (danh mục cũ)", 70)
    sector.is_active = False
    sector.save()
    return sector


def test_a_source_not_in_use_in_the_new_year_is_left_empty_with_a_note(
    village: Any, planner: Any
) -> None:
    old = _last_year_line(village, activity="Đường ra đồng", proposed_source=_ended_source())
    plan = f.village_plan(village, year=2027)

    (candidate,) = carry_over_preview(plan)
    note = gettext(
        "Line %(number)s of the %(year)s plan (“%(activity)s”): the proposed source "
        "“%(source)s” is not in use in %(new_year)s, so the line is carried over "
        "without a source; choose another one."
    ) % {
        "number": 1,
        "year": 2026,
        "activity": "Đường ra đồng",
        "source": "CT135",
        "new_year": 2027,
    }
    assert candidate.ok and candidate.notes == [note]

    done = carry_over(actor=planner, plan=plan, line_uids=[str(old.uid)])

    (line,) = done.lines
    assert done.notes == [note]
    assert (line.proposed_source, line.origin, line.priority) == (None, old, None)
    created = AuditEntry.objects.get(plan_uid=plan.uid, operation="create")
    assert created.after["proposed_source"] is None
    assert created.after["origin"] == str(old)


def test_a_line_that_breaks_this_years_rules_is_refused_with_its_name_and_nothing_saved(
    village: Any, planner: Any
) -> None:
    good = _last_year_line(village, activity="Kênh mương nội đồng")
    bad = _last_year_line(village, activity="Trồng rừng", sector=_retired_sector())
    plan = f.village_plan(village, year=2027)

    by_line = {c.line.pk: c for c in carry_over_preview(plan)}
    assert by_line[good.pk].ok
    expected = " ".join(
        [
            gettext("Line %(number)s of the %(year)s plan (“%(activity)s”), %(field)s:")
            % {"number": 2, "year": 2026, "activity": "Trồng rừng", "field": "Lĩnh vực"},
            gettext("the sector “%(sector)s” is no longer in use.")
            % {"sector": "Lâm nghiệp (danh mục cũ)"},
            gettext(
                "It cannot be carried over; add it again as a new proposal if it is still needed."
            ),
        ]
    )
    assert by_line[bad.pk].problems == [expected]

    with pytest.raises(ApplicationErrors) as caught:
        carry_over(actor=planner, plan=plan, line_uids=[str(good.uid), str(bad.uid)])

    assert [e.message for e in caught.value.errors] == [expected]
    assert caught.value.where.field == "lines"
    assert not ProposalLine.objects.filter(plan=plan).exists()  # not even the good one
    assert not AuditEntry.objects.filter(plan_uid=plan.uid).exists()
    # the good line alone goes through
    assert len(carry_over(actor=planner, plan=plan, line_uids=[str(good.uid)]).lines) == 1


def test_amounts_that_no_longer_add_up_are_refused_naming_the_field(
    village: Any, planner: Any
) -> None:
    bad = _last_year_line(village, activity="Nhà văn hóa")
    ProposalLine.objects.filter(pk=bad.pk).update(total_cost_mvnd=999)  # an old import
    plan = f.village_plan(village, year=2027)
    (candidate,) = carry_over_preview(plan)
    assert len(candidate.problems) == 1
    assert candidate.problems[0].startswith(
        gettext("Line %(number)s of the %(year)s plan (“%(activity)s”), %(field)s:")
        % {"number": 1, "year": 2026, "activity": "Nhà văn hóa", "field": "Tổng kinh phí"}
    )


def test_carry_over_reads_the_plan_status_under_a_lock(
    village: Any, planner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = _last_year_line(village)
    plan = f.village_plan(village, year=2027)
    locked: list[Any] = []
    original = QuerySet.select_for_update

    def spy(self: QuerySet[Any], *args: Any, **kwargs: Any) -> QuerySet[Any]:
        locked.append(self.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(QuerySet, "select_for_update", spy)
    carry_over(actor=planner, plan=plan, line_uids=[str(old.uid)])
    assert VillagePlan in locked

    # a plan submitted since the page was opened is refused, even from the stale object
    VillagePlan.objects.filter(pk=plan.pk).update(status=PlanStatus.SUBMITTED)
    assert plan.status == PlanStatus.DRAFT
    second = _last_year_line(village, activity="Cống qua đường")
    with pytest.raises(ApplicationError) as caught:
        carry_over(actor=planner, plan=plan, line_uids=[str(second.uid)])
    assert caught.value.code == "plan_locked"
    assert ProposalLine.objects.filter(plan=plan).count() == 1


# --- lines offered by a registered source (monitoring: unfinished works) ---------------------


@pytest.fixture
def offered() -> Any:
    """A source offering the lines put in ``offered.notes`` (id → note) for the test only."""

    class Source:
        def __init__(self) -> None:
            self.notes: dict[int, str] = {}

        def __call__(self, previous: VillagePlan) -> dict[int, str]:
            return dict(self.notes)

    source = Source()
    register_carry_over_source(source)
    yield source
    unregister_carry_over_source(source)


def test_a_registered_source_adds_its_lines_with_their_note_once(
    village: Any, planner: Any, offered: Any
) -> None:
    unfunded = _last_year_line(village, activity="Kênh mương nội đồng")
    unfinished = _last_year_line(
        village, activity="Đường bê tông xóm Dưới", outcome=LineOutcome.FUNDED
    )
    done = _last_year_line(village, activity="Nhà văn hóa thôn", outcome=LineOutcome.FUNDED)
    elsewhere = _last_year_line(
        VillageFactory.create(parent=village.parent, name="Thôn Mỹ Chánh"),
        activity="Cầu tràn",
        outcome=LineOutcome.FUNDED,
    )
    plan = f.village_plan(village, year=2027)
    offered.notes = {
        unfinished.pk: "chưa hoàn thành: đã thực hiện 60%",
        unfunded.pk: "trùng với dòng chưa bố trí vốn",
        elsewhere.pk: "dòng của thôn khác",  # not a line of this village's plan: ignored
    }

    by_line = {c.line.pk: c for c in carry_over_preview(plan)}
    assert set(by_line) == {unfunded.pk, unfinished.pk}  # each once, nothing else
    assert by_line[unfinished.pk].reason == "chưa hoàn thành: đã thực hiện 60%"
    # its outcome says why, not the source
    assert by_line[unfunded.pk].reason == gettext("not funded in %(year)s") % {"year": 2026}
    assert done.pk not in by_line

    carried = carry_over(actor=planner, plan=plan, line_uids=[str(unfinished.uid)])
    (line,) = carried.lines
    assert line.origin == unfinished
    assert carried.notes == [
        gettext(
            "Line %(number)s of the %(year)s plan (“%(activity)s”): %(note)s. "
            "Set its quantity and cost to what remains to be done."
        )
        % {
            "number": unfinished.number,
            "year": 2026,
            "activity": "Đường bê tông xóm Dưới",
            "note": "chưa hoàn thành: đã thực hiện 60%",
        }
    ]
    assert [x.pk for x in carry_over_candidates(plan)] == [unfunded.pk]  # carried: not again


def test_the_carry_over_page_shows_the_note_of_an_offered_line(
    client: Client, village: Any, planner: Any, offered: Any
) -> None:
    unfinished = _last_year_line(village, activity="Đường bê tông xóm Dưới", outcome="funded")
    plan = f.village_plan(village, year=2027)
    offered.notes = {unfinished.pk: "chưa hoàn thành: đã thực hiện 60%"}
    client.force_login(planner)
    html = client.get(reverse("plans:carry_over", args=[plan.uid])).content.decode()
    assert "Chưa hoàn thành: đã thực hiện 60%" in html
    assert f'value="{unfinished.uid}"' in html


# --- the page ---------------------------------------------------------------------------------


def test_the_carry_over_page_shows_what_happens_to_each_line_and_carries_the_chosen(
    client: Client, village: Any, planner: Any
) -> None:
    ok = _last_year_line(village, activity="Kênh mương nội đồng")
    sourced = _last_year_line(village, activity="Đường ra đồng", proposed_source=_ended_source())
    refused = _last_year_line(village, activity="Trồng rừng", sector=_retired_sector())
    _last_year_line(village, activity="Đã làm xong", outcome=LineOutcome.FUNDED)
    plan = f.village_plan(village, year=2027)
    client.force_login(planner)
    url = reverse("plans:carry_over", args=[plan.uid])

    html = client.get(url).content.decode()
    assert "Kênh mương nội đồng" in html and "Đã làm xong" not in html
    assert f'value="{ok.uid}"' in html and f'value="{sourced.uid}"' in html
    assert f'value="{refused.uid}"' not in html  # no box to tick for a line that cannot go
    assert "“CT135”" in html
    assert "Lâm nghiệp (danh mục cũ)" in html

    # choosing the refused line anyway (a forged post) saves nothing and says why
    response = client.post(url, {"lines": [str(ok.uid), str(refused.uid)]})
    assert response.status_code == 400
    assert "Trồng rừng" in response.content.decode()
    assert not ProposalLine.objects.filter(plan=plan).exists()

    response = client.post(url, {"lines": [str(ok.uid), str(sourced.uid)]})
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:plan", args=[plan.uid])
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("“CT135”" in m for m in shown)  # the note the user must act on
    carried = ProposalLine.objects.filter(plan=plan).order_by("number")
    assert [(line.activity, line.origin_id) for line in carried] == [
        ("Kênh mương nội đồng", ok.pk),
        ("Đường ra đồng", sourced.pk),
    ]
    # carried lines are no longer offered
    html = client.get(url).content.decode()
    assert f'value="{ok.uid}"' not in html


def test_the_carry_over_page_is_not_found_for_another_villages_editor(
    client: Client, village: Any
) -> None:
    old = _last_year_line(village)
    plan = f.village_plan(village, year=2027)
    other = VillageFactory.create(parent=village.parent, name="Thôn Mỹ Chánh")
    client.force_login(user_with_role("village_editor", other))
    url = reverse("plans:carry_over", args=[plan.uid])
    assert client.get(url).status_code == 404
    assert client.post(url, {"lines": [str(old.uid)]}).status_code == 404
    assert not ProposalLine.objects.filter(plan=plan).exists()


def test_nothing_chosen_is_refused_on_the_page(client: Client, village: Any, planner: Any) -> None:
    _last_year_line(village)
    plan = f.village_plan(village, year=2027)
    client.force_login(planner)
    response = client.post(reverse("plans:carry_over", args=[plan.uid]), {})
    assert response.status_code == 400
    assert gettext("Choose at least one proposal to carry over.") in response.content.decode()


# --- what is offered, why, and exactly what is ticked (issue 13) --------------------------------


def test_each_kind_offered_says_why_and_the_others_are_not_offered(
    client: Client, village: Any, planner: Any, offered: Any
) -> None:
    unfunded = _last_year_line(village, activity="Kênh mương nội đồng")
    deferred = _last_year_line(village, activity="Cầu tràn", outcome=LineOutcome.DEFERRED)
    unfinished = _last_year_line(village, activity="Đường xóm Dưới", outcome=LineOutcome.FUNDED)
    not_started = _last_year_line(village, activity="Nhà văn hóa", outcome=LineOutcome.FUNDED)
    rejected = _last_year_line(village, activity="Chợ thôn", outcome=LineOutcome.REJECTED)
    merged = _last_year_line(village, activity="Đèn đường", outcome=LineOutcome.MERGED)
    pending = _last_year_line(village, activity="Giếng nước", outcome=LineOutcome.PENDING)
    offered.notes = {unfinished.pk: "đang thi công dở, đã làm 40%"}  # as monitoring says it
    plan = f.village_plan(village, year=2027)

    with translation.override("vi"):
        reasons = {c.line.pk: (c.kind, c.reason) for c in carry_over_preview(plan)}
        assert reasons == {
            unfunded.pk: ("unfunded", "không được bố trí vốn năm 2026"),
            deferred.pk: ("deferred", "hoãn sang năm sau"),
            unfinished.pk: ("unfinished", "đang thi công dở, đã làm 40%"),
        }
        client.force_login(planner)
        html = client.get(reverse("plans:carry_over", args=[plan.uid])).content.decode()
    for line in (not_started, rejected, merged, pending):
        assert line.activity not in html
    assert "Không được bố trí vốn năm 2026" in html and "Hoãn sang năm sau" in html
    assert "Đang thi công dở, đã làm 40%" in html
    # why a funded work that has not started is not there
    assert (
        "Công trình được bố trí vốn năm 2026 nhưng chưa khởi công không được liệt kê: chúng thuộc "
        "kế hoạch năm 2026, được bố trí vốn và thực hiện theo kế hoạch đó."
    ) in html


def test_nothing_is_ticked_in_advance(client: Client, village: Any, planner: Any) -> None:
    lines = [_last_year_line(village, activity=f"Đề xuất {n}") for n in range(1, 5)]
    plan = f.village_plan(village, year=2027)
    client.force_login(planner)
    html = client.get(reverse("plans:carry_over", args=[plan.uid])).content.decode()
    boxes = re.findall(r'<input type="checkbox" name="lines"[^>]*>', html)
    assert len(boxes) == len(lines)
    assert not [box for box in boxes if "checked" in box]


def test_exactly_the_ticked_rows_are_copied_each_once(
    client: Client, village: Any, planner: Any
) -> None:
    lines = [_last_year_line(village, activity=f"Đề xuất {n}") for n in range(1, 14)]
    plan = f.village_plan(village, year=2027)
    ticked = [lines[1], lines[4], lines[7], lines[11]]
    client.force_login(planner)
    posted = [str(line.uid) for line in ticked] + [str(ticked[0].uid)]  # a double post
    response = client.post(reverse("plans:carry_over", args=[plan.uid]), {"lines": posted})

    assert response.status_code == 302
    copied = ProposalLine.objects.filter(plan=plan).order_by("number")
    assert [line.origin_id for line in copied] == [line.pk for line in ticked]
    assert [line.number for line in copied] == [1, 2, 3, 4]
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert shown == [
        ngettext(
            "%(count)s proposal carried over from last year.",
            "%(count)s proposals carried over from last year.",
            4,
        )
        % {"count": 4}
    ]  # no warning for an unfunded line carried as it is
    assert {x.pk for x in carry_over_candidates(plan)} == {x.pk for x in lines} - {
        x.pk for x in ticked
    }


def test_a_refused_carry_over_keeps_the_ticks_it_was_given(
    client: Client, village: Any, planner: Any
) -> None:
    ok = _last_year_line(village, activity="Kênh mương nội đồng")
    other = _last_year_line(village, activity="Đường ra đồng")
    refused = _last_year_line(village, activity="Trồng rừng", sector=_retired_sector())
    plan = f.village_plan(village, year=2027)
    client.force_login(planner)
    url = reverse("plans:carry_over", args=[plan.uid])
    response = client.post(url, {"lines": [str(ok.uid), str(refused.uid)]})
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(rf'value="{ok.uid}"[^>]*checked', html)
    assert not re.search(rf'value="{other.uid}"[^>]*checked', html)
    assert not ProposalLine.objects.filter(plan=plan).exists()


def test_a_line_that_is_not_offered_cannot_be_posted(
    village: Any, planner: Any, offered: Any
) -> None:
    funded = _last_year_line(village, activity="Nhà văn hóa", outcome=LineOutcome.FUNDED)
    unfunded = _last_year_line(village, activity="Kênh mương nội đồng")
    plan = f.village_plan(village, year=2027)
    with pytest.raises(NotFoundError):
        carry_over(actor=planner, plan=plan, line_uids=[str(unfunded.uid), str(funded.uid)])
    assert not ProposalLine.objects.filter(plan=plan).exists()
