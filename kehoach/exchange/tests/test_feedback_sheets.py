"""The feedback sheets (F13) of every village of a published version in one PDF — each village
on its own pages, kept like the single sheets, linked from the approval page — and the wording
of the documents: a unit's kind word in lower case inside a sentence, the year kept with "năm"
in the title, the legal bases punctuated as one list, the same proposed contribution on the
sheet as on the pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.core.errors import NotFoundError
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.monitoring.tests.factories import FARM, ROAD, SCHOOL, followed_plan
from kehoach.plans.models import VillagePlan
from kehoach.synthesis.services.workflow import commune_plan_transition

from ..documents import texts
from ..documents.commune import CommunePlanDocument
from ..documents.kept import rendering
from ..documents.village import FeedbackSheet, FeedbackSheets
from ..models import DocumentKind, RenderedDocument
from .test_documents import page_sizes, pdf_info, pdf_text, plan_in, vi_pdf
from .test_documents_kept import Renders

pytestmark = pytest.mark.django_db
PDF = "application/pdf"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world() -> dict[str, Any]:
    found = followed_plan()
    found["client"] = _client(found["planner"])
    return found


@pytest.fixture
def renders() -> Iterator[Renders]:
    counter = Renders()
    rendering.connect(counter, weak=False)
    try:
        yield counter
    finally:
        rendering.disconnect(counter)


def _sheets(plan: Any, query: str = "") -> str:
    return reverse("exchange:commune_feedback_sheets", args=[plan.uid]) + query


def _pages(data: bytes, tmp_path: Path) -> list[str]:
    count = len(page_sizes(pdf_info(data, tmp_path)))
    return [pdf_text(data, "-f", str(n), "-l", str(n)) for n in range(1, count + 1)]


# --- F13 of all villages --------------------------------------------------------------------


def test_one_pdf_holds_every_village_sheet_each_on_its_own_pages(
    world: dict[str, Any], tmp_path: Path
) -> None:
    client, plan = world["client"], world["plan"]

    response = client.get(_sheets(plan))

    assert response.status_code == 200 and response["Content-Type"] == PDF
    name = response["Content-Disposition"].split('filename="')[1].rstrip('"')
    assert name == "phan-hoi-cac-thon-19702-2027-v1.pdf" and name.isascii()
    pages = _pages(response.content, tmp_path)
    a, b = (VillagePlan.objects.get(village=v) for v in world["villages"])
    with translation.override("vi"):
        alone = [_pages(FeedbackSheet(p).pdf(), tmp_path) for p in (a, b)]
    assert len(pages) == len(alone[0]) + len(alone[1])  # nothing lost, nothing shared
    first, last = pages[: len(alone[0])], pages[len(alone[0]) :]
    assert all("thôn Diên Sanh" in p and "thôn Mỹ Chánh" not in p for p in first)
    assert all("thôn Mỹ Chánh" in p and "thôn Diên Sanh" not in p for p in last)
    assert ROAD in "".join(first) and SCHOOL in "".join(first) and FARM in "".join(last)
    # each village's pages are numbered on their own, as its sheet alone would be
    assert f"Trang 1/{len(alone[1])}" in last[0]


def test_the_combined_sheets_are_kept_like_the_single_ones(
    world: dict[str, Any], renders: Renders
) -> None:
    client, plan = world["client"], world["plan"]
    first = client.get(_sheets(plan)).content
    again = client.get(_sheets(plan, "?version=1")).content
    assert first == again
    assert renders.seen == [(DocumentKind.FEEDBACK, "pdf")]  # rendered once, then kept
    kept = RenderedDocument.objects.get(subject_uid=plan.uid)
    assert (kept.kind, kept.format, kept.version.number) == (DocumentKind.FEEDBACK, "pdf", 1)


def test_no_combined_sheets_before_publication_or_for_another_version() -> None:
    world = followed_plan(publish=False)
    client, plan = _client(world["planner"]), world["plan"]
    assert client.get(_sheets(plan)).status_code == 404
    page = client.get(reverse("synthesis:approval", args=[plan.uid])).content.decode()
    assert _sheets(plan) not in page
    commune_plan_transition(actor=world["planner"], plan=plan, action="publish")
    page = client.get(reverse("synthesis:approval", args=[plan.uid])).content.decode()
    assert f'href="{_sheets(plan)}"' in page and "F13 của tất cả các thôn (PDF)" in page
    for wrong in ("?version=2", "?version=abc", "?version=-1", "?version=١"):
        assert client.get(_sheets(plan, wrong)).status_code == 404, wrong
    assert client.get(_sheets(plan, "?version=1")).status_code == 200


def test_only_who_sees_the_commune_plan_may_print_them(world: dict[str, Any]) -> None:
    plan = world["plan"]
    stranger = _client(commune_planner(dong_hoi(), username="xa.khac"))
    assert stranger.get(_sheets(plan)).status_code == 404
    editor = user_with_role(Role.VILLAGE_EDITOR, world["villages"][0], username="thon.f13")
    assert _client(editor).get(_sheets(plan)).status_code == 404
    assert Client().get(_sheets(plan)).status_code == 302  # to the login
    assert world["client"].get(_sheets(plan)).status_code == 200


def test_the_sheets_follow_the_villages_order_and_only_published_versions(
    world: dict[str, Any],
) -> None:
    sheets = FeedbackSheets(world["plan"])
    assert sheets.version.number == 1
    assert [s.plan.village.name for s in sheets.sheets] == ["Thôn Diên Sanh", "Thôn Mỹ Chánh"]
    with pytest.raises(NotFoundError):
        FeedbackSheets(world["plan"], 7)


# --- the wording of the documents -----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Xã Hải Lăng", "xã Hải Lăng"),
        ("Thôn Diên Sanh", "thôn Diên Sanh"),
        ("Thành phố Huế", "thành phố Huế"),
        ("Tổ dân phố 3", "tổ dân phố 3"),
        ("tỉnh Quảng Trị", "tỉnh Quảng Trị"),
        ("Hải Lăng", "Hải Lăng"),  # no kind word: as it is
        ("Xã", "Xã"),  # only a kind word: as it is
        ("Xã Đoài", "xã Đoài"),
        ("Xãhội", "Xãhội"),  # not a kind word followed by a name
    ],
)
def test_a_unit_inside_a_sentence_has_its_kind_word_in_lower_case(name: str, written: str) -> None:
    assert texts.in_sentence(name) == written


def test_legal_bases_are_one_list_each_item_ending_with_a_semicolon_the_last_with_a_full_stop() -> (
    None
):
    assert texts.as_list_items(["Căn cứ A.", "Căn cứ B", "Căn cứ C;", "Căn cứ D;"]) == [
        "Căn cứ A;",
        "Căn cứ B;",
        "Căn cứ C;",
        "Căn cứ D.",
    ]


def test_the_plan_document_writes_names_years_and_bases_as_a_document_should(
    world: dict[str, Any], tmp_path: Path
) -> None:
    plan = world["plan"]
    version = plan_version(plan)
    with translation.override("vi"):
        document = CommunePlanDocument(plan, version).document()
    cover = document.cover
    assert cover.title.endswith("NĂM\u00a02027")  # "2027" never alone on a line
    assert cover.subtitle == "của xã Hải Lăng, tỉnh Quảng Trị"
    assert "Hội đồng nhân dân xã Hải Lăng" in cover.approval
    bases = next(b for b in document.parts[0].blocks if b.kind == "bullets").items
    assert [item[-1] for item in bases] == [";"] * (len(bases) - 1) + ["."]
    assert "của Hội đồng nhân dân xã Hải Lăng phê duyệt kế hoạch." in bases[-1]
    text = pdf_text(vi_pdf(plan, version))
    assert "Xã Hải Lăng" not in text  # mid-sentence everywhere: lower case
    first_page = pdf_text(vi_pdf(plan, version), "-f", "1", "-l", "1")
    assert not re.search(r"\n\s*2027\s*\n", first_page), first_page


def plan_version(plan: Any) -> Any:
    from kehoach.synthesis.services.workflow import latest_version

    return latest_version(plan)


def test_the_feedback_sheet_shows_the_proposed_contribution_of_every_proposal(
    world: dict[str, Any],
) -> None:
    b = VillagePlan.objects.get(village=world["villages"][1])
    with translation.override("vi"):
        sheet = FeedbackSheet(b)
        context = sheet.context()
    header = [c["label"] for c in context["table"]["columns"]]
    assert "Đóng góp của thôn theo đề xuất" in header
    assert context["addressee"].endswith("thôn Mỹ Chánh")
    assert "Thôn Mỹ Chánh" not in context["intro"] and "thôn Mỹ Chánh" in context["intro"]
    farm = context["table"]["rows"][0]["cells"]
    assert farm[header.index("Đóng góp của thôn theo đề xuất")].text == "0,0"  # proposed, unfunded
    assert "Đóng góp theo đề xuất là phần thôn nhận góp" in context["shares_note"]


@pytest.mark.parametrize("villages", [2, 6])
def test_reading_the_sheets_of_every_village_takes_a_fixed_number_of_queries(
    villages: int, django_assert_max_num_queries: Any
) -> None:
    """The sheets of a commune's villages are read in the same few queries whether it has two
    villages or six (the render itself is the kept-document mechanism's)."""
    world = plan_in(hai_lang(), villages=villages, lines=2, enriched=False)
    with django_assert_max_num_queries(3):
        sheets = FeedbackSheets(world["plan"])
        with translation.override("vi"):
            contexts = sheets.contexts()
    assert len(contexts) == villages
