"""Downloading the documents: who may (another commune's user gets the same 404 as for nothing),
which version, ASCII file names, the links on the approval page and the village plan page, and
a bounded number of queries."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehoach.accounts.choices import Role
from kehoach.accounts.tests.factories import commune_planner, user_with_role
from kehoach.geo.tests.factories import dong_hoi, hai_lang
from kehoach.monitoring.tests.factories import ROAD, followed_plan
from kehoach.plans.models import VillagePlan
from kehoach.synthesis.services.lines import commune_plan_synthesise
from kehoach.synthesis.services.workflow import commune_plan_transition
from kehoach.synthesis.tests import factories as sf

from .test_documents import docx_text, pdf_text, plan_in, t

pytestmark = pytest.mark.django_db
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world() -> dict[str, Any]:
    found = followed_plan()
    found["client"] = _client(found["planner"])
    found["village_plan"] = VillagePlan.objects.get(village=found["villages"][0])
    return found


def _document(plan: Any, fmt: str = "pdf") -> str:
    return reverse("exchange:commune_document", args=[plan.uid, fmt])


def _name(response: Any) -> str:
    return response["Content-Disposition"].split('filename="')[1].rstrip('"')


def test_the_commune_plan_downloads_as_pdf_and_word(world: dict[str, Any]) -> None:
    client, plan = world["client"], world["plan"]
    response = client.get(_document(plan))
    assert response.status_code == 200
    assert response["Content-Type"] == PDF
    assert _name(response) == "ke-hoach-xa-19702-2027.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    text = pdf_text(response.content)
    assert "25/NQ-HĐND" in text and t("DRAFT") not in text
    response = client.get(_document(plan, "docx"))
    assert response.status_code == 200
    assert response["Content-Type"] == DOCX
    assert _name(response) == "ke-hoach-xa-19702-2027.docx"
    assert "1.000,0" in docx_text(response.content)
    assert client.get(_document(plan, "odt")).status_code == 404


def test_a_version_or_the_draft_can_be_chosen(world: dict[str, Any]) -> None:
    client, plan = world["client"], world["plan"]
    commune_plan_transition(actor=world["planner"], plan=plan, action="amend", comment="Sửa")
    latest = client.get(_document(plan))
    assert t("DRAFT") not in pdf_text(latest.content)  # the approved version, not the amendment
    first = client.get(_document(plan) + "?version=1")
    assert _name(first) == "ke-hoach-xa-19702-2027.pdf"
    draft = client.get(_document(plan) + "?draft=1")
    assert _name(draft) == "ke-hoach-xa-19702-2027-du-thao.pdf"
    assert t("DRAFT") in pdf_text(draft.content)
    for wrong in ("?version=2", "?version=abc", "?version=-1", "?version=١"):
        assert client.get(_document(plan) + wrong).status_code == 404, wrong


def test_a_plan_without_a_version_gives_its_draft() -> None:
    commune = hai_lang()
    (village,) = sf.villages(commune, ["Thôn Diên Sanh"])
    sf.submitted_plan(village, [sf.money_line("600", "100", activity=ROAD)])
    round_ = sf.round_of(commune)
    planner = sf.planner(commune)
    commune_plan_synthesise(actor=planner, round_=round_)
    plan = sf.commune_plan_for(round_)
    client = _client(planner)
    response = client.get(_document(plan))
    assert _name(response) == "ke-hoach-xa-19702-2027-du-thao.pdf"
    text = pdf_text(response.content)
    assert t("DRAFT") in text and ROAD in text
    html = client.get(reverse("synthesis:approval", args=[plan.uid])).content.decode()
    assert _document(plan) + "?draft=1" in html
    assert client.get(_document(plan) + "?version=1").status_code == 404


def test_the_feedback_sheet_and_the_poster_of_a_village(world: dict[str, Any]) -> None:
    client, plan = world["client"], world["village_plan"]
    code = plan.village.code
    response = client.get(reverse("exchange:village_feedback_sheet", args=[plan.uid]))
    assert response.status_code == 200 and response["Content-Type"] == PDF
    assert _name(response) == f"phan-hoi-thon-{code}-2027.pdf"
    assert ROAD in pdf_text(response.content)
    response = client.get(reverse("exchange:village_poster", args=[plan.uid]))
    assert response.status_code == 200 and response["Content-Type"] == PDF
    assert _name(response) == f"ap-phich-thon-{code}-2027.pdf"
    assert _name(response).isascii()
    # a village editor of the village may print its own sheets
    editor = _client(user_with_role(Role.VILLAGE_EDITOR, plan.village, username="thon.in"))
    assert editor.get(reverse("exchange:village_poster", args=[plan.uid])).status_code == 200


def test_no_feedback_sheet_before_publication() -> None:
    world = followed_plan(publish=False)
    plan = VillagePlan.objects.get(village=world["villages"][0])
    client = _client(world["planner"])
    assert (
        client.get(reverse("exchange:village_feedback_sheet", args=[plan.uid])).status_code == 404
    )
    assert client.get(reverse("exchange:village_poster", args=[plan.uid])).status_code == 200


def test_another_commune_gets_404_and_a_visitor_the_login(world: dict[str, Any]) -> None:
    stranger = _client(commune_planner(dong_hoi(), username="xa.khac"))
    plan, village_plan = world["plan"], world["village_plan"]
    urls = [
        _document(plan),
        _document(plan, "docx"),
        _document(plan) + "?draft=1",
        reverse("exchange:village_feedback_sheet", args=[village_plan.uid]),
        reverse("exchange:village_poster", args=[village_plan.uid]),
    ]
    for url in urls:
        assert stranger.get(url).status_code == 404, url
        response = Client().get(url)
        assert response.status_code == 302 and "login" in response["Location"], url
    missing = "00000000-0000-0000-0000-000000000000"
    assert stranger.get(reverse("exchange:village_poster", args=[missing])).status_code == 404


def test_the_pages_link_to_the_documents(world: dict[str, Any]) -> None:
    client, plan, village_plan = world["client"], world["plan"], world["village_plan"]
    html = client.get(reverse("synthesis:approval", args=[plan.uid])).content.decode()
    assert _document(plan) + "?version=1" in html
    assert _document(plan, "docx") + "?version=1" in html
    assert "?draft=1" not in html  # nothing is in preparation
    commune_plan_transition(actor=world["planner"], plan=plan, action="amend", comment="Sửa")
    html = client.get(reverse("synthesis:approval", args=[plan.uid])).content.decode()
    assert _document(plan) + "?draft=1" in html
    html = client.get(reverse("plans:plan", args=[village_plan.uid])).content.decode()
    assert reverse("exchange:village_poster", args=[village_plan.uid]) in html
    assert reverse("exchange:village_feedback_sheet", args=[village_plan.uid]) in html


def test_the_village_page_offers_no_feedback_before_publication() -> None:
    world = followed_plan(publish=False)
    plan = VillagePlan.objects.get(village=world["villages"][0])
    html = _client(world["planner"]).get(reverse("plans:plan", args=[plan.uid])).content.decode()
    assert reverse("exchange:village_poster", args=[plan.uid]) in html
    assert reverse("exchange:village_feedback_sheet", args=[plan.uid]) not in html


def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_downloads_take_a_bounded_number_of_queries() -> None:
    small = plan_in(hai_lang(), villages=1, lines=1)
    big = plan_in(dong_hoi(), villages=4, lines=5)
    counts = []
    for world in (small, big):
        client = _client(world["planner"])
        village_plan = VillagePlan.objects.filter(village=world["villages"][0]).get()
        counts.append(
            [
                _count(client, _document(world["plan"])),
                _count(client, _document(world["plan"]) + "?draft=1"),
                _count(client, reverse("exchange:village_feedback_sheet", args=[village_plan.uid])),
                _count(client, reverse("exchange:village_poster", args=[village_plan.uid])),
            ]
        )
    assert counts[0] == counts[1]
    assert max(counts[1]) <= 40
