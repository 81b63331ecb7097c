"""Nothing unpublished ever shows on the portal or in its files.

For each state a commune plan can be in before publication (draft, submitted, returned,
approved), for an amendment in preparation after publication, and for a second plan year not
published, everything public — every page reachable from the portal's home page, every search,
every open-data file linked — is crawled, and an activity name, amount and reason that exist
only in the unpublished data must not be in it; the addresses of the unpublished plan answer 404.
Each test also shows the published data *is* there, so that it cannot pass by crawling nothing.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from kehoach.geo.tests.factories import hai_lang
from kehoach.monitoring.services.progress import progress_report_create
from kehoach.plans.models import VillagePlan
from kehoach.plans.tests import factories as pf
from kehoach.synthesis.choices import Decision
from kehoach.synthesis.services.funding import line_decide
from kehoach.synthesis.services.lines import commune_line_create, commune_plan_synthesise
from kehoach.synthesis.services.workflow import commune_plan_approve, commune_plan_transition
from kehoach.synthesis.tests import factories as sf

from .crawl import body, crawl, everything
from .factories import (
    RESOLUTION,
    SECRET,
    SECRET_COST,
    SECRET_REASON,
    SECRET_SHOWN,
    STATES,
    followed_plan,
    photo_of,
    plan_in_state,
    report_data,
    report_on,
    trieu_phong,
)

pytestmark = pytest.mark.django_db

D = Decimal
ROAD = "Bê tông hóa đường xóm Trên"
FORMATS = ("csv", "xlsx", "json")
DATASETS = ("ke-hoach", "quyet-dinh", "tien-do")


def _files(code: str, year: int) -> list[str]:
    return [f"/cong-khai/du-lieu/{code}/{year}/{d}.{f}" for d in DATASETS for f in FORMATS]


def _assert_hidden(text: str) -> None:
    for secret in (SECRET, SECRET_REASON, SECRET_SHOWN, SECRET_COST):
        assert secret not in text, secret


def _status(client: Client, url: str) -> int:
    return client.get(url).status_code


@pytest.mark.parametrize("state", STATES)
def test_a_plan_not_yet_published_shows_nowhere(client: Client, state: str) -> None:
    world = followed_plan()
    report = progress_report_create(
        actor=world["planner"], line=world["road"], data=report_data(), disbursed={}
    )
    photo_of(report, "before", "Đường trước khi làm")
    hidden = plan_in_state(trieu_phong(), state)
    seen = crawl(client, searches=["trieu phong", "hai lang", "xa"])
    text = "\n".join(seen.values())
    assert ROAD in text and "Thôn Diên Sanh" in text  # the published plan is crawled
    assert any(url.endswith(".xlsx") for url in seen) and any("/anh/" in url for url in seen)
    _assert_hidden(text)
    assert "Triệu Phong" not in text
    # its addresses, typed by hand, answer 404 like an address that does not exist
    line = hidden["line"]
    urls = [
        "/cong-khai/xa/19705/",
        "/cong-khai/xa/19705/2027/",
        "/cong-khai/xa/19705/2027/v1/",
        f"/cong-khai/xa/19705/2027/thon/{hidden['village'].code}/",
        f"/cong-khai/xa/19705/2027/cong-trinh/{line.uid}/",
        *_files("19705", 2027),
    ]
    assert [_status(client, url) for url in urls] == [404] * len(urls)
    # a photo of one of its lines is not served, even by its uid
    secret_photo = photo_of(report_on(line), "during", SECRET)
    assert _status(client, f"/cong-khai/anh/{secret_photo.uid}/") == 404
    assert _status(client, f"/cong-khai/anh/{secret_photo.uid}/nho/") == 404
    # the province's files hold only the published commune
    for url in _files("44", 2027):
        content = body(client.get(url))
        assert b"19702" in content or url.endswith(".xlsx")
        assert SECRET.encode() not in content


def test_an_amendment_in_preparation_shows_nowhere_until_it_is_published(
    client: Client,
) -> None:
    """Version 1 is published; the amendment adds ``SECRET`` and takes the road's funding away.
    While it is a draft, and once approved but not published, the public sees version 1 (the
    road funded, its progress and photo); once published, version 2."""
    world = followed_plan()
    planner, approver, plan = world["planner"], world["approver"], world["plan"]
    report = progress_report_create(
        actor=planner, line=world["road"], data=report_data(), disbursed={world["ntp"]: D(200)}
    )
    photo = photo_of(report, "before", "Đường trước khi làm")
    road_page = f"/cong-khai/xa/19702/2027/cong-trinh/{world['road'].uid}/"
    new_reason = "Chuyển sang năm sau theo điều chỉnh"
    commune_plan_transition(
        actor=planner, plan=plan, action="amend", comment="Bổ sung cầu treo bản Khe Sanh"
    )
    plan.refresh_from_db()
    data = {
        **pf.line_data(sector=sf.agriculture(), activity=SECRET),
        **sf.money_line(SECRET_COST, "77.7"),
        "organisation": "Hội Nông dân xã",
    }
    added = commune_line_create(actor=planner, plan=plan, data=data)
    line_decide(actor=planner, line=added, decision=Decision.DEFERRED, reason=SECRET_REASON)
    line_decide(actor=planner, line=world["road"], decision=Decision.UNFUNDED, reason=new_reason)

    def check_version_1_only() -> None:
        text = everything(client, searches=["hai lang"])
        _assert_hidden(text)
        assert new_reason not in text
        assert ROAD in text and "Đủ điều kiện, ưu tiên 1" in text
        page = client.get("/cong-khai/xa/19702/2027/").content.decode()
        assert 'id="plan-version"' in page and "/cong-khai/xa/19702/2027/v2/" not in page
        assert _status(client, road_page) == 200
        assert _status(client, f"/cong-khai/anh/{photo.uid}/") == 200
        assert _status(client, "/cong-khai/xa/19702/2027/v2/") == 404

    check_version_1_only()  # a draft of version 2
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    check_version_1_only()
    commune_plan_approve(
        actor=approver, plan=plan, data={**RESOLUTION, "resolution_number": "31/NQ-HĐND"}
    )
    check_version_1_only()  # approved, not published
    commune_plan_transition(actor=planner, plan=plan, action="publish")

    text = everything(client)
    assert SECRET in text and SECRET_REASON in text and new_reason in text and "31/NQ-HĐND" in text
    # the road is no longer a work of the published plan: its page and photo are gone
    assert _status(client, road_page) == 404
    assert _status(client, f"/cong-khai/anh/{photo.uid}/") == 404
    # version 1 stays readable as what was published then
    earlier = client.get("/cong-khai/xa/19702/2027/v1/").content.decode()
    assert "Đủ điều kiện, ưu tiên 1" in earlier and SECRET not in earlier


def test_a_second_plan_year_not_published_shows_nowhere(client: Client) -> None:
    followed_plan()
    plan_in_state(hai_lang(), "approved", year=2028)
    text = everything(client, searches=["hai lang"])
    assert ROAD in text
    _assert_hidden(text)
    commune = client.get("/cong-khai/xa/19702/").content.decode()
    assert "/cong-khai/xa/19702/2027/" in commune and "2028" not in commune
    urls = [
        "/cong-khai/xa/19702/2028/",
        "/cong-khai/xa/19702/2028/v1/",
        *_files("19702", 2028),
        *_files("44", 2028),
    ]
    assert [_status(client, url) for url in urls] == [404] * len(urls)


def test_a_proposal_taken_out_by_a_published_amendment_is_rejected_with_its_reason(
    client: Client,
) -> None:
    """Mỹ Chánh withdraws its plan during an amendment: until the amendment is published its
    feedback shows the training "not funded"; afterwards "rejected", with the reason."""
    world = followed_plan()
    planner, approver, plan = world["planner"], world["approver"], world["plan"]
    my_chanh = world["villages"][1]
    page = f"/cong-khai/xa/19702/2027/thon/{my_chanh.code}/"
    commune_plan_transition(
        actor=planner, plan=plan, action="amend", comment="Thôn Mỹ Chánh rút đề xuất"
    )
    VillagePlan.objects.filter(village=my_chanh).update(status="draft")
    commune_plan_synthesise(actor=planner, round_=plan.round)
    unfunded = str(Decision.UNFUNDED.label)
    rejected = str(Decision.REJECTED.label)
    assert unfunded in client.get(page).content.decode()
    commune_plan_transition(actor=planner, plan=plan, action="submit")
    commune_plan_approve(actor=approver, plan=plan, data={**RESOLUTION, "resolution_number": "32"})
    html = client.get(page).content.decode()
    assert unfunded in html and "Thôn Mỹ Chánh rút đề xuất" not in html
    commune_plan_transition(actor=planner, plan=plan, action="publish")
    html = client.get(page).content.decode()
    assert rejected in html and "Thôn Mỹ Chánh rút đề xuất" in html
    assert "Tập huấn chăn nuôi" in html
    rows = body(client.get("/cong-khai/du-lieu/19702/2027/quyet-dinh.csv")).decode("utf-8-sig")
    line = next(x for x in rows.splitlines() if "Tập huấn chăn nuôi" in x)
    assert ",rejected," in line and ",true," in line
