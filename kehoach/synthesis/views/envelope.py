"""The resource envelope page of a round (F11): lines entered by the province and by the
commune, what each line has funded, publication to the villages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kehoach.core.errors import ApplicationError

from ..choices import EnvelopeOrigin
from ..forms import EnvelopeLineForm
from ..models import EnvelopeLine
from ..permissions import (
    can_add_envelope_line,
    can_edit_line,
    can_publish_envelope,
    may_edit_line,
    origin_for,
)
from ..selectors import effective_counterpart, envelope_use
from ..services.common import commune_plan_for, draft_reason, envelope_for
from ..services.eligibility import area_text
from ..services.envelope import (
    envelope_line_create,
    envelope_line_delete,
    envelope_line_restore,
    envelope_line_update,
    envelope_publish,
)
from .common import ancestors_of, round_or_404, service_action


def _form(round_: Any, origin: str, *args: Any, **kwargs: Any) -> EnvelopeLineForm:
    return EnvelopeLineForm(
        *args, plan_year=round_.plan_year, commune=round_.commune, origin=origin, **kwargs
    )


def _context(request: HttpRequest, round_: Any, **extra: Any) -> dict[str, Any]:
    envelope = envelope_for(round_)
    plan = commune_plan_for(round_)
    rows = envelope_use(envelope)
    for row in rows:
        line = row["line"]
        row["area"] = area_text(line)
        row["counterpart"] = effective_counterpart(line)
        row["may_edit"] = can_edit_line(request.user, line, plan) is None
    origin = origin_for(request.user, round_)
    total = sum((r["line"].amount_mvnd for r in rows), Decimal(0))
    used = sum((r["used"] for r in rows), Decimal(0))
    context = {
        "round": round_,
        "unit": round_.commune,
        "ancestors": ancestors_of(request, round_.commune),
        "envelope": envelope,
        "plan": plan,
        "rows": rows,
        "total": total,
        "used": used,
        "left": total - used,
        "origin": origin,
        "can_add": can_add_envelope_line(request.user, plan) is None,
        "can_publish": can_publish_envelope(request.user, plan) is None,
        # deleted lines: listed for whoever may change them, restorable only while they may
        "deleted": [
            line
            for line in envelope.lines.filter(deleted_at__isnull=False).select_related("source")
            if may_edit_line(request.user, line, round_)
        ],
        "may_restore": draft_reason(plan) is None,
    }
    context.update(extra)
    return context


@login_required
def envelope_view(request: HttpRequest, uid: Any) -> HttpResponse:
    round_ = round_or_404(request, uid)
    origin = origin_for(request.user, round_)
    form = _form(round_, origin or EnvelopeOrigin.COMMUNE, request.POST or None)
    status = 200
    if request.method == "POST":
        if origin is None:
            raise Http404
        if form.is_valid():
            try:
                line = envelope_line_create(
                    actor=request.user,
                    round_=round_,
                    data=form.service_data(),
                    villages=form.cleaned_data.get("area_villages"),
                )
            except ApplicationError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, _("Envelope line %(number)s added.") % {"number": line.number}
                )
                return redirect("synthesis:envelope", uid=round_.uid)
        status = 400
    return render(
        request, "synthesis/envelope.html", _context(request, round_, form=form), status=status
    )


def _line_or_404(round_: Any, line_uid: Any) -> EnvelopeLine:
    line = (
        EnvelopeLine.objects.filter(envelope__round=round_, uid=line_uid)
        .select_related("source", "sector", "envelope__round__commune")
        .first()
    )
    if line is None:
        raise Http404
    return line


@login_required
def envelope_line_edit(request: HttpRequest, uid: Any, line_uid: Any) -> HttpResponse:
    round_ = round_or_404(request, uid)
    line = _line_or_404(round_, line_uid)
    refused = can_edit_line(request.user, line, commune_plan_for(round_))
    if line.deleted_at is not None or (refused is not None and refused.hidden):
        raise Http404
    if refused is not None:  # the commune plan is no longer a draft: nothing to edit here
        messages.error(request, refused.message)
        return redirect("synthesis:envelope", uid=round_.uid)
    initial = {
        "source": line.source,
        "sector": line.sector,
        "expenditure_type": line.expenditure_type,
        "content": line.content,
        "activity_keywords": line.activity_keywords,
        "amount_mvnd": line.amount_mvnd,
        "firmness": line.firmness,
        "counterpart_share_pct": line.counterpart_share_pct,
        "area_scope": line.area_scope,
        "area_villages": list(line.area_villages.all()),
        "area_flags": line.area_flags,
        "notes": line.notes,
        "version": line.version,
    }
    form = _form(round_, line.origin, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            _updated, taken = envelope_line_update(
                actor=request.user,
                line=line,
                data=form.service_data(),
                villages=form.cleaned_data.get("area_villages"),
                expected_version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            form.add_service_error(exc)
        else:
            text = _("Envelope line %(number)s saved.") % {"number": line.number}
            if taken:
                text += " " + _(
                    "%(count)s lines of the commune plan drew on it and wait for a new allocation."
                ) % {"count": taken}
            messages.success(request, text)
            return redirect("synthesis:envelope", uid=round_.uid)
    return render(
        request,
        "synthesis/envelope_line_edit.html",
        {
            "round": round_,
            "unit": round_.commune,
            "ancestors": ancestors_of(request, round_.commune),
            "line": line,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@service_action
def envelope_line_delete_view(request: HttpRequest, uid: Any, line_uid: Any) -> Any:
    round_ = round_or_404(request, uid)
    line = _line_or_404(round_, line_uid)
    _deleted, taken = envelope_line_delete(actor=request.user, line=line)
    text = _("Envelope line %(number)s deleted; it can be restored below.") % {
        "number": line.number
    }
    if taken:
        text += " " + _(
            "%(count)s lines of the commune plan drew on it and wait for a new allocation."
        ) % {"count": taken}
    return text, reverse("synthesis:envelope", args=[round_.uid])


@login_required
@service_action
def envelope_line_restore_view(request: HttpRequest, uid: Any, line_uid: Any) -> Any:
    round_ = round_or_404(request, uid)
    line = _line_or_404(round_, line_uid)
    envelope_line_restore(actor=request.user, line=line)
    return (
        _("Envelope line %(number)s restored.") % {"number": line.number},
        reverse("synthesis:envelope", args=[round_.uid]),
    )


@login_required
@service_action
def envelope_publish_view(request: HttpRequest, uid: Any) -> Any:
    round_ = round_or_404(request, uid)
    envelope = envelope_publish(actor=request.user, round_=round_)
    return (
        _("The envelope was published: every village plan of the round shows its %(count)s lines.")
        % {"count": len(envelope.published_lines)},
        reverse("synthesis:envelope", args=[round_.uid]),
    )
