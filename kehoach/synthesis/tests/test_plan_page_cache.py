"""The commune plan page's table kept under the state of what it shows (``plan_page_state``):
asked again unchanged, it is not read again; after any writer of what it shows, the page shows
the change at once; each visitor's kind of page (may edit or not, language, filters, page) is
its own entry."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kehoach.approvals.services import comment_add, comment_resolve
from kehoach.geo.services.villages import village_rename
from kehoach.geo.tests.factories import hai_lang

from ..choices import Decision, LineState
from ..models import CommunePlan, SynthesisOperation
from ..services.funding.decide import line_decide
from ..services.lines import commune_plan_synthesise, lines_merge, operation_undo
from ..services.lines.single import commune_line_update
from ..services.scoring import criteria_of, line_scores_set
from . import factories as f

pytestmark = pytest.mark.django_db


def _plan(villages: int = 3, lines: int = 2, start: int = 0) -> CommunePlan:
    commune = hai_lang()
    names = [f"Thôn Hạng {i}" for i in range(start, start + villages)]
    for i, village in enumerate(f.villages(commune, names), start=start):
        f.submitted_plan(
            village,
            [
                f.money_line(str(100 + 10 * k + i), str(k + i % 3), activity=f"Việc {i}.{k}")
                for k in range(lines)
            ],
        )
    round_ = f.round_of(commune)
    commune_plan_synthesise(actor=f.planner(commune), round_=round_)
    return CommunePlan.objects.select_related("round__commune").get(round=round_)


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, plan: CommunePlan, query: str = "") -> str:
    response = client.get(reverse("synthesis:plan", args=[plan.uid]) + query)
    assert response.status_code == 200
    return str(response.content.decode())


def _active(plan: CommunePlan) -> list[Any]:
    return list(plan.lines.filter(state=LineState.ACTIVE).order_by("number"))


def _queries(client: Client, plan: CommunePlan) -> int:
    with CaptureQueriesContext(connection) as captured:
        _page(client, plan)
    return len(captured.captured_queries)


def test_the_table_asked_again_unchanged_is_not_read_again() -> None:
    plan = _plan()
    client = _client(f.planner(plan.round.commune))
    built = _queries(client, plan)
    again = _queries(client, plan)
    assert again <= built - 8  # the lines, ranks, comments, totals… are not read again
    assert again <= 12


def test_a_kept_table_is_the_table_rendered_afresh() -> None:
    plan = _plan()
    client = _client(f.planner(plan.round.commune))
    _page(client, plan)
    kept = _page(client, plan)
    cache.clear()
    fresh = _page(client, plan)
    assert _table(kept) == _table(fresh) and '<tr id="line-' in _table(kept)


def _table(html: str) -> str:
    return html.split('id="f9-table"')[1].split("</table>")[0]


def test_every_writer_of_what_the_table_shows_shows_at_once() -> None:
    plan = _plan()
    commune = plan.round.commune
    planner = f.planner(commune)
    client = _client(planner)
    _page(client, plan)
    lines = _active(plan)
    # a line's own values
    commune_line_update(actor=planner, line=lines[0], data={"activity": "Đường bê tông mới"})
    assert "Đường bê tông mới" in _page(client, plan)
    # a decision by hand
    line_decide(actor=planner, line=lines[1], decision=Decision.REJECTED, reason="Trùng lặp")
    assert "decision-rejected" in _page(client, plan)
    # a comment on a line, then resolved
    comment = comment_add(actor=planner, plan_uid=plan.uid, body="Xem lại", line_uid=lines[2].uid)
    assert "comment-tag" in _page(client, plan)
    comment_resolve(actor=planner, comment=comment)
    assert "comment-tag" not in _page(client, plan)
    # a judged score: the score and rank shown
    judged = next(c for c in criteria_of(plan) if not c.automatic)
    before = _page(client, plan)
    line_scores_set(actor=planner, line=lines[3], scores={judged.code: 5})
    assert _page(client, plan) != before
    # a merge, then its undoing
    count = _page(client, plan).count('<tr id="line-')
    lines_merge(actor=planner, plan=plan, lines=lines[4:6])
    assert _page(client, plan).count('<tr id="line-') == count - 1
    operation_undo(
        actor=planner, operation=SynthesisOperation.objects.filter(plan=plan).latest("id")
    )
    assert _page(client, plan).count('<tr id="line-') == count
    # a village renamed: its name in the rows and the by-village table
    village = lines[0].sources.first().village_line.plan.village
    village_rename(actor=planner, village=village, new_name="Thôn Đổi Tên")
    assert "Thôn Đổi Tên" in _page(client, plan)
    # a sector renamed in the catalog
    sector = lines[0].sector
    sector.name = "Giao thông nông thôn (mới)"
    sector.save()
    assert "Giao thông nông thôn (mới)" in _page(client, plan)
    # a unit of measure renamed in the catalog (the quantity cell)
    unit = lines[0].unit
    unit.name = "mét dài"
    unit.save()
    assert "mét dài" in _page(client, plan)
    # a new village synthesised: its lines appear
    _plan(1, 2, start=9)
    assert "Việc 9.0" in _page(client, plan)


def test_each_kind_of_visitor_and_question_is_its_own_table() -> None:
    plan = _plan(villages=3, lines=2)
    commune = plan.round.commune
    planner = _client(f.planner(commune))
    assert 'name="lines"' in _page(planner, plan)
    officer = _client(f.province_officer(commune.parent))
    assert 'name="lines"' not in _page(officer, plan)  # reads only: no boxes to tick
    english = _client(f.planner(commune))
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Not decided yet" in _page(english, plan)
    assert "Not decided yet" not in _page(planner, plan)
    filtered = _page(planner, plan, "?q=Việc 1.1")
    assert "Việc 1.1" in filtered and "Việc 2.0" not in filtered
    assert filtered.count('<tr id="line-') < _page(planner, plan).count('<tr id="line-') == 6


def _token(html: str, plan: CommunePlan) -> str:
    """The token of the page's "synthesise" form (in the content, not the menu's)."""
    form = html.split(f'action="{reverse("synthesis:synthesise", args=[plan.uid])}"')[1]
    return form.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]


def test_a_kept_page_carries_only_its_own_visitors_token() -> None:
    """The content around the table is kept per visitor: its form token is valid for their
    CSRF cookie alone. Another visitor (another cookie) gets a page with a token of theirs; a
    visitor without the cookie yet gets a page rendered for them, not kept."""
    plan = _plan()
    planner = f.planner(plan.round.commune)
    first = _client(planner)
    _page(first, plan)  # the first answer sets the visitor's CSRF cookie
    kept = _token(_page(first, plan), plan)
    assert _token(_page(first, plan), plan) == kept  # the same visitor: the kept content
    other = Client(enforce_csrf_checks=True)
    other.force_login(planner)
    _page(other, plan)
    theirs = _page(other, plan)
    assert first.cookies[settings.CSRF_COOKIE_NAME].value != (
        other.cookies[settings.CSRF_COOKIE_NAME].value
    )
    # the token of their page works for them: synthesise again with the form as shown
    answer = other.post(
        reverse("synthesis:synthesise", args=[plan.uid]),
        {"csrfmiddlewaretoken": _token(theirs, plan)},
    )
    assert answer.status_code == 302 and _token(theirs, plan) != kept


def test_what_the_content_around_the_table_shows_changes_at_once() -> None:
    from kehoach.plans.services.workflow import plan_return

    from ..services.envelope.writers import envelope_line_create

    plan = _plan(villages=3, lines=2)
    commune = plan.round.commune
    planner = f.planner(commune)
    client = _client(planner)
    _page(client, plan)
    before = _page(client, plan)
    assert "Chưa gửi" not in before
    # a village plan returned: no longer among the submitted
    village_plan = plan.round.plans.order_by("village__sort_key")[0]
    plan_return(actor=planner, plan=village_plan, comment="Bổ sung số hộ hưởng lợi")
    after = _page(client, plan)
    assert after != before and village_plan.village.name in after.split("Chưa gửi")[1][:400]
    # an envelope line added by the province: the envelope's box shows it
    officer = f.province_officer(commune.parent)
    envelope_line_create(
        actor=officer, round_=plan.round, data={"source": f.ntp(), "amount_mvnd": "1234"}
    )
    assert "1.234" in _page(client, plan).split('id="envelope-box"')[1][:2000]
