"""The page that corrects a board, and its dissolution."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from kehoach.synthesis.models import CommuneLine, CommunePlan

from ...forms_supervision import (
    BoardForm,
    DissolveForm,
)
from ...models import SupervisionBoard
from ...services.supervision import (
    board_dissolve,
    board_update,
)
from .helpers import (
    _board_or_404,
    _call,
    _done,
    _edit_page,
    _status,
    _supervisor_work,
)

# --- the pages that correct a board, a member, a visit ---------------------------------------


def _board_blocks(
    plan: CommunePlan,
    line: CommuneLine,
    board: SupervisionBoard,
    form: BoardForm,
    dissolve: DissolveForm | None,
) -> list[dict[str, Any]]:
    blocks = [
        {
            "id": "board-form",
            "title": _("The board"),
            "form": form,
            "action": reverse("monitoring:supervision_board", args=[plan.uid, line.uid]),
            "button": _("Save the board"),
        }
    ]
    if board.dissolved_on is None:
        blocks.append(
            {
                "id": "dissolve-form",
                "title": _("Dissolve the board"),
                "help": _(
                    "When the board has done its task (the work is handed over), record the "
                    "date it was dissolved. It cannot be before its last visit."
                ),
                "form": dissolve,
                "action": reverse("monitoring:supervision_dissolve", args=[plan.uid, line.uid]),
                "button": _("Dissolve the board"),
                "danger": True,
            }
        )
    return blocks


def _board_initial(board: SupervisionBoard) -> dict[str, Any]:
    return {
        "established_on": board.established_on,
        "decision_ref": board.decision_ref,
        "notes": board.notes,
        "version": board.version,
    }


@login_required
def board_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    plan, line = _supervisor_work(request, uid, line_uid)
    board = _board_or_404(line)
    title = _("Supervision board of work %(number)s") % {"number": line.number}
    dissolve = DissolveForm(prefix="dissolve", initial={"version": board.version})
    if request.method != "POST":
        form = BoardForm(prefix="board", initial=_board_initial(board))
        blocks = _board_blocks(plan, line, board, form, dissolve)
        return _edit_page(request, plan, line, title, blocks)
    form = BoardForm(request.POST, prefix="board")
    status = 400
    if form.is_valid():
        _board, error = _call(
            form,
            lambda: board_update(
                actor=request.user,
                board=board,
                data=form.service_data(),
                expected_version=form.cleaned_data.get("version"),
            ),
        )
        if error is None:
            return _done(plan, line, request, _("The supervision board is saved."))
        status = _status(error)
    blocks = _board_blocks(plan, line, board, form, dissolve)
    return _edit_page(request, plan, line, title, blocks, status)


@login_required
def board_dissolve_view(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    if request.method != "POST":
        raise Http404
    plan, line = _supervisor_work(request, uid, line_uid)
    board = _board_or_404(line)
    form = DissolveForm(request.POST, prefix="dissolve")
    status = 400
    if form.is_valid():
        _board, error = _call(
            form,
            lambda: board_dissolve(
                actor=request.user,
                board=board,
                dissolved_on=form.cleaned_data["dissolved_on"],
                expected_version=form.cleaned_data.get("version"),
            ),
        )
        if error is None:
            return _done(plan, line, request, _("The board is recorded as dissolved."))
        status = _status(error)
    title = _("Supervision board of work %(number)s") % {"number": line.number}
    edit = BoardForm(prefix="board", initial=_board_initial(board))
    blocks = _board_blocks(plan, line, board, edit, form)
    return _edit_page(request, plan, line, title, blocks, status)
