"""PRA outputs of a village plan (F2): the tools the village used, each with its date,
facilitators, women and men taking part, findings and the SWOT entries (F3) and problems (F4)
those findings support, and the photos or scans of what was drawn.

- ``clean_pra_output`` / ``validate_pra_output``: the values as saved and their problems,
  each naming its field — pure (no actor, no writes);
- ``pra_output_create``, ``pra_output_update``, ``pra_output_delete``: the writes. Each checks
  the actor may edit the draft plan (``common.lock_editable``, the plan row locked), runs in
  one transaction, checks the version the form showed (``expected_version``) under the
  output's lock and writes one audit row in the plan's history;
- ``pra_photo_add``, ``pra_photo_remove``: a photo re-encoded by ``kehoach.core.images`` (the
  same checks and limits as a progress photo: size, type, pixels, decoding; never the bytes as
  uploaded), at most ``PHOTOS_MAX`` per output, kept in private storage;
- ``pra_outputs_of``, ``pra_output_get_for_user``, ``pra_photo_get_for_user``: the reads,
  starting from the plans the user may see.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kehoach.approvals.audit import audit_record, snapshot
from kehoach.catalog.models import PraTool
from kehoach.core import bounds
from kehoach.core.errors import ApplicationError, NotFoundError, Where
from kehoach.core.images.encoding import encode_photo
from kehoach.core.images.limits import CAPTION_MAX
from kehoach.core.images.upload import check_upload, original_name
from kehoach.core.text import nfc
from kehoach.core.validation import Problem, raise_errors

from ..models import PraOutput, PraPhoto, SwotEntry, VillagePlan
from ..models import Problem as PlanProblem
from ..selectors import plan_get_for_user
from .common import check_version, lock_editable, require_editable

PRA_FIELDS = [
    "tool",
    "held_on",
    "facilitators",
    "participants_women",
    "participants_men",
    "findings",
]
PHOTO_FIELDS = ["output", "caption", "width", "height", "size", "original_name"]
PHOTOS_MAX = 20
"""Photos or scans of one PRA output: a map, a calendar and their details fit well within."""


# --- judging the values (pure) ---------------------------------------------------------------


@dataclass(frozen=True)
class PraContext:
    """What judging a PRA output needs besides its values: the plan year (a tool used more than
    a year before it is a typing mistake) and today (a tool cannot have been used tomorrow)."""

    plan_year: int
    today: datetime.date


def pra_context(plan: VillagePlan) -> PraContext:
    return PraContext(plan_year=plan.round.plan_year, today=timezone.localdate())


def _multiline(value: Any) -> str:
    return "\n".join(nfc(line) for line in str(value or "").splitlines()).strip()


def clean_pra_output(data: Mapping[str, Any]) -> dict[str, Any]:
    """The values as they will be saved: texts NFC (findings keep their lines), counts 0 when
    empty, the linked findings as lists. Pure."""
    return {
        "tool": data.get("tool"),
        "held_on": data.get("held_on"),
        "facilitators": nfc(str(data.get("facilitators") or "")),
        "participants_women": data.get("participants_women") or 0,
        "participants_men": data.get("participants_men") or 0,
        "findings": _multiline(data.get("findings")),
        "supports_swot": list(data.get("supports_swot") or []),
        "supports_problems": list(data.get("supports_problems") or []),
    }


def _label(field: str) -> str:
    return str(getattr(PraOutput._meta.get_field(field), "verbose_name", field)).capitalize()


def validate_pra_output(context: PraContext, values: Mapping[str, Any]) -> list[Problem]:
    """The problems of a PRA output (``clean_pra_output``'s values), each naming its field."""
    errors: list[Problem] = []

    def fail(field: str, code: str, text: str) -> None:
        errors.append(
            Problem(
                code,
                _("%(field)s: %(problem)s") % {"field": _label(field), "problem": text},
                Where(field=field),
            )
        )

    tool = values.get("tool")
    if not isinstance(tool, PraTool):
        fail("tool", "required", _("choose the tool used."))
    elif not tool.is_active:
        fail(
            "tool",
            "inactive",
            _("“%(tool)s” is no longer in use; choose another tool.") % {"tool": tool.name},
        )
    held_on = values.get("held_on")
    if not isinstance(held_on, datetime.date):
        fail("held_on", "required", _("enter the day the tool was used (dd/mm/yyyy)."))
    elif held_on > context.today:
        fail(
            "held_on",
            "in_future",
            _("%(date)s is in the future; enter the day the tool was used.")
            % {"date": held_on.strftime("%d/%m/%Y")},
        )
    elif held_on.year < context.plan_year - 1:
        fail(
            "held_on",
            "too_early",
            _(
                "%(date)s is before %(year)s; the tools of the plan for %(plan_year)s are used "
                "from the year before it. Check the year."
            )
            % {
                "date": held_on.strftime("%d/%m/%Y"),
                "year": context.plan_year - 1,
                "plan_year": context.plan_year,
            },
        )
    if not values.get("findings"):
        fail("findings", "required", _("write what the tool showed."))
    for field in ("participants_women", "participants_men"):
        value = values.get(field)
        if not isinstance(value, int) or isinstance(value, bool):
            fail(field, "not_integer", _("enter a whole number."))
        elif value < 0:
            fail(field, "negative", _("the number cannot be negative."))
    checked = {k: v for k, v in values.items() if k in ("facilitators", "findings")}
    checked.update(
        {
            k: v
            for k, v in values.items()
            if k in ("participants_women", "participants_men") and isinstance(v, int) and v >= 0
        }
    )
    for problem in bounds.problems(PraOutput, checked):
        fail(problem.field, problem.code, problem.text)
    return errors


# --- the linked findings ---------------------------------------------------------------------


def _of_plan(
    plan: VillagePlan, model: type[SwotEntry] | type[PlanProblem], items: Iterable[Any], field: str
) -> list[Any]:
    """The plan's SWOT entries or problems given as objects or primary keys; another plan's,
    a deleted or a missing one is refused on ``field``."""
    wanted = {item.pk if hasattr(item, "pk") else item for item in items}
    if not wanted:
        return []
    if all(isinstance(pk, int) and not isinstance(pk, bool) for pk in wanted):
        found = list(model.objects.filter(plan=plan, pk__in=wanted))
        if len(found) == len(wanted):
            return found
    raise ApplicationError(
        "finding_not_in_plan",
        _("%(field)s: a finding you chose is not part of this plan (any more); choose again.")
        % {"field": _label(field)},
        Where(field=field),
    )


def _judged(plan: VillagePlan, data: Mapping[str, Any]) -> tuple[dict[str, Any], list, list]:
    values = clean_pra_output(data)
    raise_errors(validate_pra_output(pra_context(plan), values))
    swot = _of_plan(plan, SwotEntry, values.pop("supports_swot"), "supports_swot")
    problems = _of_plan(plan, PlanProblem, values.pop("supports_problems"), "supports_problems")
    return values, swot, problems


def _state(output: PraOutput) -> dict[str, Any]:
    """What the audit keeps of an output: its fields and the findings it supports, by name."""
    swot = SwotEntry.objects.filter(pra_outputs=output).select_related("sector")
    problems = PlanProblem.objects.filter(pra_outputs=output)
    return {
        **snapshot(output, PRA_FIELDS),
        "supports_swot": sorted(str(entry) for entry in swot),
        "supports_problems": sorted(str(problem) for problem in problems),
    }


def _what(output: PraOutput) -> str:
    return _("the PRA output “%(output)s”") % {"output": output}


def _locked(plan: VillagePlan, output: PraOutput, expected_version: int | None) -> PraOutput:
    current = (
        PraOutput.objects.select_for_update(of=("self",))
        .select_related("tool")
        .filter(pk=output.pk, plan=plan)
        .first()
    )
    if current is None:
        raise NotFoundError()
    check_version(current.version, expected_version, what=_what(current))
    return current


# --- writes ----------------------------------------------------------------------------------


def pra_output_check(*, actor: Any, plan: VillagePlan, data: Mapping[str, Any]) -> dict[str, Any]:
    """``pra_output_create``'s checks without writing or locking anything: the same refusals,
    or the values as they would be saved."""
    require_editable(actor, plan)
    return _judged(plan, data)[0]


@transaction.atomic
def pra_output_create(*, actor: Any, plan: VillagePlan, data: Mapping[str, Any]) -> PraOutput:
    """Record a PRA tool used for the plan. ``data``: ``tool`` (an active ``PraTool``),
    ``held_on`` (a date, not after today, not before the year before the plan year),
    ``facilitators``, ``participants_women``, ``participants_men`` (empty is 0), ``findings``
    (required), ``supports_swot`` and ``supports_problems`` (the plan's own entries)."""
    plan = lock_editable(actor, plan)
    values, swot, problems = _judged(plan, data)
    output = PraOutput.objects.create(plan=plan, **values)
    output.supports_swot.set(swot)
    output.supports_problems.set(problems)
    audit_record(
        actor=actor, plan_uid=plan.uid, obj=output, operation="create", after=_state(output)
    )
    return output


@transaction.atomic
def pra_output_update(
    *,
    actor: Any,
    output: PraOutput,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> PraOutput:
    """Change a PRA output (``data`` as ``pra_output_create``, keys missing keep their values);
    refused (code ``conflict``) when ``expected_version`` is not the version saved."""
    plan = lock_editable(actor, output.plan)
    current = _locked(plan, output, expected_version)
    saved: dict[str, Any] = {name: getattr(current, name) for name in PRA_FIELDS}
    saved["supports_swot"] = list(current.supports_swot.all())
    saved["supports_problems"] = list(current.supports_problems.all())
    values, swot, problems = _judged(plan, {**saved, **data})
    before = _state(current)
    for name, value in values.items():
        setattr(current, name, value)
    current.version += 1
    current.save()
    current.supports_swot.set(swot)
    current.supports_problems.set(problems)
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=current,
        operation="update",
        before=before,
        after=_state(current),
    )
    return current


@transaction.atomic
def pra_output_delete(
    *, actor: Any, output: PraOutput, expected_version: int | None = None
) -> None:
    """Delete a PRA output with its photos (their files once the deletion is committed)."""
    plan = lock_editable(actor, output.plan)
    current = _locked(plan, output, expected_version)
    audit_record(
        actor=actor, plan_uid=plan.uid, obj=current, operation="delete", before=_state(current)
    )
    files = [
        (photo.image.storage, [photo.image.name, photo.thumbnail.name])
        for photo in PraPhoto.objects.filter(output=current)
    ]
    current.delete()

    def delete_files() -> None:
        for storage, names in files:
            _delete_files(storage, names)

    transaction.on_commit(delete_files)


def _delete_files(storage: Any, names: list[str | None]) -> None:
    for name in names:
        if name:
            storage.delete(name)


def _clean_caption(caption: Any) -> str:
    text = nfc(str(caption or ""))
    if len(text) > CAPTION_MAX:
        raise ApplicationError(
            "caption_long",
            _("Caption: at most %(max)s characters (now %(count)s).")
            % {"max": CAPTION_MAX, "count": len(text)},
            Where(field="caption"),
        )
    return text


@transaction.atomic
def pra_photo_add(*, actor: Any, output: PraOutput, upload: Any, caption: str = "") -> PraPhoto:
    """Attach a photo or scan to a PRA output: checked and re-encoded as a progress photo is
    (``kehoach.core.images``), stored privately with its thumbnail, audited in the plan's
    history; at most ``PHOTOS_MAX`` per output."""
    plan = lock_editable(actor, output.plan)
    current = _locked(plan, output, None)
    text = _clean_caption(caption)
    if PraPhoto.objects.filter(output=current).count() >= PHOTOS_MAX:
        raise ApplicationError(
            "too_many_photos",
            _(
                "Photo: this PRA output already has %(max)s photos, the most it can have. "
                "Remove one before adding another."
            )
            % {"max": PHOTOS_MAX},
            Where(field="image"),
        )
    check_upload(upload)
    encoded = encode_photo(upload)
    photo = PraPhoto(
        output=current,
        caption=text,
        width=encoded.width,
        height=encoded.height,
        size=len(encoded.image),
        original_name=original_name(upload),
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    photo.image.save(f"{photo.uid}.jpg", ContentFile(encoded.image), save=False)
    try:
        photo.thumbnail.save(f"{photo.uid}-nho.jpg", ContentFile(encoded.thumbnail), save=False)
        photo.save()
        audit_record(
            actor=actor,
            plan_uid=plan.uid,
            obj=photo,
            operation="create",
            after=snapshot(photo, PHOTO_FIELDS),
        )
    except BaseException:
        _delete_files(photo.image.storage, [photo.image.name, photo.thumbnail.name])
        raise
    # Should an outer transaction roll back, the files would stay unreferenced: none of the
    # callers wraps this in a larger transaction (as monitoring's photo_add).
    return photo


@transaction.atomic
def pra_photo_remove(*, actor: Any, photo: PraPhoto) -> None:
    """Remove a photo of a PRA output; its files are deleted once the removal is committed."""
    current = PraPhoto.objects.select_related("output__plan").filter(pk=photo.pk).first()
    if current is None:
        raise NotFoundError()
    plan = lock_editable(actor, current.output.plan)
    current = PraPhoto.objects.select_for_update().filter(pk=current.pk).first()
    if current is None:
        raise NotFoundError()  # removed meanwhile by someone else
    audit_record(
        actor=actor,
        plan_uid=plan.uid,
        obj=current,
        operation="delete",
        before=snapshot(current, PHOTO_FIELDS),
    )
    storage = current.image.storage
    names = [current.image.name, current.thumbnail.name]
    current.delete()
    transaction.on_commit(lambda: _delete_files(storage, names))


# --- reads -----------------------------------------------------------------------------------


def pra_outputs_of(plan: VillagePlan) -> QuerySet[PraOutput]:
    """The plan's PRA outputs by date, each with its tool, photos and the findings it supports."""
    return (
        PraOutput.objects.filter(plan=plan)
        .select_related("tool")
        .prefetch_related(
            Prefetch("photos", queryset=PraPhoto.objects.order_by("id")),
            Prefetch(
                "supports_swot",
                queryset=SwotEntry.objects.select_related("sector").order_by(
                    "sector__sort_order", "sector__code"
                ),
            ),
            Prefetch("supports_problems", queryset=PlanProblem.objects.order_by("id")),
        )
        .order_by("held_on", "id")
    )


def pra_output_get_for_user(*, user: Any, plan_uid: Any, uid: Any) -> PraOutput:
    """The output of a plan the user may see (``NotFoundError`` otherwise, as a missing one)."""
    plan = plan_get_for_user(user=user, uid=plan_uid)
    output = PraOutput.objects.select_related("tool").filter(plan=plan, uid=uid).first()
    if output is None:
        raise NotFoundError()
    output.plan = plan
    return output


def pra_photo_get_for_user(*, user: Any, plan_uid: Any, uid: Any) -> PraPhoto:
    """A photo of a PRA output of a plan the user may see (``NotFoundError`` otherwise)."""
    plan = plan_get_for_user(user=user, uid=plan_uid)
    photo = PraPhoto.objects.select_related("output").filter(output__plan=plan, uid=uid).first()
    if photo is None:
        raise NotFoundError()
    photo.output.plan = plan
    return photo
