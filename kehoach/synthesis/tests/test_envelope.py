"""The resource envelope (F11): who enters what, the rules of a line, publication (R19), and
what a change does to lines already funded (R16)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.geo.tests.factories import ProvinceFactory, VillageFactory, hai_lang
from kehoach.plans.tests import factories as pf

from ..choices import AreaScope, Decision, EnvelopeOrigin, Review
from ..models import EnvelopeLine, LineFunding
from ..services.envelope import (
    envelope_line_create,
    envelope_line_delete,
    envelope_line_restore,
    envelope_line_update,
    envelope_publish,
)
from ..services.funding import line_decide
from ..services.lines import commune_plan_synthesise
from . import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def ctx() -> dict[str, Any]:
    commune = hai_lang()
    return {
        "round": f.round_of(commune),
        "officer": f.province_officer(commune.parent),
        "planner": f.planner(commune),
        "ntp": f.ntp(),
        "nsx": f.commune_budget(),
    }


def test_the_province_enters_programmes_and_the_commune_its_budget(ctx: dict[str, Any]) -> None:
    province_line = envelope_line_create(
        actor=ctx["officer"],
        round_=ctx["round"],
        data={"source": ctx["ntp"], "sector": f.transport(), "amount_mvnd": D("1500")},
    )
    assert province_line.origin == EnvelopeOrigin.PROVINCE
    commune_line = envelope_line_create(
        actor=ctx["planner"],
        round_=ctx["round"],
        data={"source": ctx["nsx"], "amount_mvnd": D("1200.5")},
    )
    assert (commune_line.origin, commune_line.number, commune_line.amount_mvnd) == (
        EnvelopeOrigin.COMMUNE,
        2,
        D("1200.500"),
    )
    with pytest.raises(ApplicationError) as caught:
        envelope_line_create(
            actor=ctx["planner"],
            round_=ctx["round"],
            data={"source": ctx["ntp"], "amount_mvnd": D("100")},
        )
    assert caught.value.message == (
        "Dòng 3 của khung nguồn lực, Chương trình / nguồn vốn: “NTP26” là nguồn vốn do tỉnh "
        "thông báo; Sở Tài chính nhập nguồn này. Xã nhập ngân sách xã và các nguồn khác."
    )
    # each may change only their own lines
    with pytest.raises(NotFoundError):
        envelope_line_update(actor=ctx["planner"], line=province_line, data={"amount_mvnd": D(1)})
    with pytest.raises(NotFoundError):
        envelope_line_delete(actor=ctx["officer"], line=commune_line)
    assert EnvelopeLine.objects.get(pk=province_line.pk).amount_mvnd == D("1500")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"amount_mvnd": D("-5")},
            "Dòng 1 của khung nguồn lực, Kinh phí: số tiền không được âm.",
        ),
        (
            {"area_scope": AreaScope.LISTED},
            "Dòng 1 của khung nguồn lực, Các thôn được hỗ trợ: hãy đánh dấu các thôn được dùng "
            "nguồn vốn này.",
        ),
        (
            {"area_scope": AreaScope.FLAGGED, "area_flags": ["nonsense"]},
            "Dòng 1 của khung nguồn lực, Loại thôn được hỗ trợ: hãy đánh dấu ít nhất một loại "
            "thôn được hỗ trợ.",
        ),
        (
            {"counterpart_share_pct": D("120")},
            "Dòng 1 của khung nguồn lực, Tỷ lệ dân đóng góp bắt buộc (%): hãy nhập tỷ lệ phần "
            "trăm từ 0 đến 100, hoặc để trống.",
        ),
    ],
)
def test_a_wrong_line_is_refused_with_its_field(
    ctx: dict[str, Any], data: dict[str, Any], message: str
) -> None:
    with pytest.raises(ApplicationError) as caught:
        envelope_line_create(
            actor=ctx["officer"],
            round_=ctx["round"],
            data={"source": ctx["ntp"], "amount_mvnd": D("100"), **data},
        )
    assert caught.value.message == message
    assert not EnvelopeLine.objects.exists()


def test_community_money_and_old_programmes_are_not_envelope_lines(ctx: dict[str, Any]) -> None:
    community = f.source("CD", "community", name="Nhân dân đóng góp", is_external=False)
    old = f.source("NTM", valid_from_year=2021, valid_to_year=2025)
    with pytest.raises(ApplicationError) as caught:
        envelope_line_create(
            actor=ctx["officer"],
            round_=ctx["round"],
            data={"source": community, "amount_mvnd": D("10")},
        )
    assert "phần dân đóng góp được ghi ở từng đề xuất" in caught.value.message
    with pytest.raises(ApplicationError) as caught:
        envelope_line_create(
            actor=ctx["officer"], round_=ctx["round"], data={"source": old, "amount_mvnd": D(1)}
        )
    assert caught.value.message == (
        "Dòng 1 của khung nguồn lực, Chương trình / nguồn vốn: nguồn vốn “NTM” không còn áp "
        "dụng trong năm 2027; hãy chọn nguồn khác."
    )


def test_listed_villages_must_belong_to_the_commune(ctx: dict[str, Any]) -> None:
    mine = VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")
    foreign = VillageFactory.create(name="Thôn Xa")
    line = envelope_line_create(
        actor=ctx["officer"],
        round_=ctx["round"],
        data={"source": ctx["ntp"], "amount_mvnd": D("300"), "area_scope": AreaScope.LISTED},
        villages=[mine],
    )
    assert list(line.area_villages.all()) == [mine]
    with pytest.raises(NotFoundError):
        envelope_line_create(
            actor=ctx["officer"],
            round_=ctx["round"],
            data={"source": ctx["ntp"], "amount_mvnd": D("300"), "area_scope": AreaScope.LISTED},
            villages=[foreign],
        )


def test_an_officer_of_another_province_is_not_let_in(ctx: dict[str, Any]) -> None:
    stranger = f.province_officer(ProvinceFactory.create(name="Tỉnh Khác"))
    with pytest.raises(NotFoundError):
        envelope_line_create(
            actor=stranger,
            round_=ctx["round"],
            data={"source": ctx["ntp"], "amount_mvnd": D("1")},
        )
    with pytest.raises(NotFoundError):
        envelope_publish(actor=stranger, round_=ctx["round"])


def test_publishing_copies_the_lines_for_the_villages(ctx: dict[str, Any]) -> None:
    with pytest.raises(ApplicationError) as caught:
        envelope_publish(actor=ctx["planner"], round_=ctx["round"])
    assert caught.value.code == "envelope_empty"
    line = envelope_line_create(
        actor=ctx["officer"],
        round_=ctx["round"],
        data={
            "source": ctx["ntp"],
            "sector": f.transport(),
            "amount_mvnd": D("1500"),
            "content": "Đường giao thông nông thôn",
            "counterpart_share_pct": D("10"),
        },
    )
    envelope = envelope_publish(actor=ctx["planner"], round_=ctx["round"])
    (row,) = envelope.published_lines
    assert row["source_code"] == "NTP26"
    assert row["amount_mvnd"] == "1500.000"
    assert row["counterpart_pct"] == "10.00"
    assert row["area"] == "Toàn xã"
    assert not envelope.changed_since_published
    envelope_line_update(actor=ctx["officer"], line=line, data={"amount_mvnd": D("1800")})
    envelope.refresh_from_db()
    assert envelope.changed_since_published
    assert envelope.published_lines[0]["amount_mvnd"] == "1500.000"


def test_a_change_to_a_line_takes_its_funding_back(ctx: dict[str, Any]) -> None:
    village = VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")
    f.submitted_plan(village, [f.money_line("500", "100", sector=f.transport())])
    commune_plan_synthesise(actor=ctx["planner"], round_=ctx["round"])
    envelope = envelope_line_create(
        actor=ctx["officer"],
        round_=ctx["round"],
        data={"source": ctx["ntp"], "sector": f.transport(), "amount_mvnd": D("1000")},
    )
    (line,) = f.commune_plan_for(ctx["round"]).lines.all()
    line_decide(
        actor=ctx["planner"],
        line=line,
        decision=Decision.FUNDED,
        reason="Đủ điều kiện",
        funding={envelope: D("400")},
    )
    _line, taken = envelope_line_update(
        actor=ctx["officer"], line=envelope, data={"notes": "Theo văn bản số 12"}
    )
    assert taken == 0
    assert LineFunding.objects.count() == 1
    _line, taken = envelope_line_update(
        actor=ctx["officer"], line=envelope, data={"amount_mvnd": D("300")}
    )
    assert taken == 1
    line.refresh_from_db()
    assert (line.decision, line.review) == (Decision.PENDING, Review.CHANGED)
    assert (
        line.review_note == "Dòng 1 của khung nguồn lực (NTP26) đã thay đổi; hãy phân bổ vốn lại."
    )
    assert not LineFunding.objects.exists()
    deleted, _taken = envelope_line_delete(actor=ctx["officer"], line=envelope)
    assert deleted.deleted_at is not None
    restored = envelope_line_restore(actor=ctx["officer"], line=envelope)
    assert restored.deleted_at is None


def test_the_village_plan_page_shows_the_published_envelope(
    ctx: dict[str, Any], client: Any
) -> None:
    village = VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")
    plan = pf.village_plan(village)
    client.force_login(ctx["planner"])
    assert "Nguồn lực xã dự kiến" not in client.get(f"/plans/{plan.uid}/").content.decode()
    envelope_line_create(
        actor=ctx["officer"],
        round_=ctx["round"],
        data={"source": ctx["ntp"], "amount_mvnd": D("2500"), "content": "Hạ tầng thiết yếu"},
    )
    envelope_publish(actor=ctx["officer"], round_=ctx["round"])
    page = client.get(f"/plans/{plan.uid}/").content.decode()
    assert "Nguồn lực xã dự kiến cho năm 2027: 2.500,0 triệu đồng" in page
    assert "Hạ tầng thiết yếu" in page


def test_the_village_panel_shows_type_firmness_and_eligible_activities(
    ctx: dict[str, Any], client: Any
) -> None:
    village = VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")
    plan = pf.village_plan(village)
    envelope_line_create(
        actor=ctx["officer"],
        round_=ctx["round"],
        data={
            "source": ctx["ntp"],
            "sector": f.transport(),
            "expenditure_type": "investment",
            "firmness": "notified",
            "amount_mvnd": D("1500"),
            "content": "Giao thông nông thôn",
            "activity_keywords": "đường, cầu",
        },
    )
    envelope_line_create(
        actor=ctx["planner"],
        round_=ctx["round"],
        data={"source": ctx["nsx"], "amount_mvnd": D("200"), "firmness": "expected"},
    )
    envelope_publish(actor=ctx["planner"], round_=ctx["round"])
    client.force_login(ctx["planner"])
    page = client.get(f"/plans/{plan.uid}/").content.decode()
    panel = page[page.index('id="envelope-panel"') :]
    panel = panel[: panel.index("</section>")]
    assert '<th scope="col">Loại chi</th>' in panel
    assert '<th scope="col">Mức độ chắc chắn</th>' in panel
    first, second = panel.split("<tr>")[2:4]
    assert "Đầu tư phát triển" in first and "Số đã thông báo" in first
    assert "hoạt động: đường, cầu" in first
    assert "mọi loại" in second and "Kỳ vọng" in second
    assert "hoạt động:" not in second


def test_an_envelope_published_before_the_activities_were_shown_still_reads(
    ctx: dict[str, Any], client: Any
) -> None:
    village = VillageFactory.create(parent=hai_lang(), name="Thôn Diên Sanh")
    plan = pf.village_plan(village)
    envelope_line_create(
        actor=ctx["officer"],
        round_=ctx["round"],
        data={"source": ctx["ntp"], "amount_mvnd": D("900"), "firmness": "indicative"},
    )
    envelope = envelope_publish(actor=ctx["officer"], round_=ctx["round"])
    row = dict(envelope.published_lines[0])
    del row["activity_keywords"]
    envelope.published_lines = [row]
    envelope.save(update_fields=["published_lines"])
    client.force_login(ctx["planner"])
    page = client.get(f"/plans/{plan.uid}/").content.decode()
    assert "Dự kiến (định hướng)" in page
    assert "Nguồn lực xã dự kiến cho năm 2027: 900,0 triệu đồng" in page
