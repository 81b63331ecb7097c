"""Pages of administrative units: home, province, commune (with its villages), village."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kehoach.core.access import assignments_of, can_see, is_system_admin, roles_on
from kehoach.core.errors import ApplicationError, NotFoundError
from kehoach.core.reasons import refuse

from . import selectors, services
from .choices import Level
from .forms import (
    VillageCreateForm,
    VillageEndForm,
    VillageImportForm,
    VillageMergeForm,
    VillageRenameForm,
)
from .models import AdministrativeUnit, UnitSuccession
from .panels import commune_panels, home_panels, province_panels, village_panels
from .permissions import can_change_village, can_manage_villages
from .rows import unit_rows

T = TypeVar("T")


def _unit_or_404(request: HttpRequest, code: str) -> AdministrativeUnit:
    """The unit, or 404 (``NotFoundError`` through the middleware) — missing or not theirs."""
    return selectors.unit_get_for_user(user=request.user, code=code)


def _ancestors(request: HttpRequest, unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The units above, each marked whether the user may open it (breadcrumbs link only those)."""
    ancestors = selectors.unit_ancestors(unit)
    for ancestor in ancestors:
        ancestor.visible = can_see(request.user, ancestor)  # type: ignore[attr-defined]
    return ancestors


def _successions(
    request: HttpRequest, unit: AdministrativeUnit
) -> tuple[list[UnitSuccession], list[UnitSuccession]]:
    """The links to the units that continue ``unit`` (each successor marked whether the user may
    open it) and the links from the units it was formed from: one query, and a second one for
    the units at the other end only when there are links (most units have none)."""
    links = list(UnitSuccession.objects.filter(Q(predecessor=unit) | Q(successor=unit)))
    if not links:
        return [], []
    others = AdministrativeUnit.objects.in_bulk(
        {
            link.successor_id if link.predecessor_id == unit.pk else link.predecessor_id
            for link in links
        }
    )
    successions, predecessions = [], []
    for link in links:
        if link.predecessor_id == unit.pk:
            link.predecessor, link.successor = unit, others[link.successor_id]
            link.successor.visible = can_see(request.user, link.successor)  # type: ignore[attr-defined]
            successions.append(link)
        else:
            link.predecessor, link.successor = others[link.predecessor_id], unit
            predecessions.append(link)
    return successions, predecessions


# The fields of the empty "add a village" form, rendered once per language: they depend on
# nothing else (the CSRF token is outside them), and rendering a form's widgets through their
# templates costs as much as the rest of the commune page.
_VILLAGE_CREATE_FIELDS: dict[str | None, str] = {}


def _village_create_fields() -> str:
    language = get_language()
    html = _VILLAGE_CREATE_FIELDS.get(language)
    if html is None:
        html = render_to_string("partials/form_fields.html", {"form": VillageCreateForm()})
        _VILLAGE_CREATE_FIELDS[language] = html
    return html


def _form_page(
    request: HttpRequest,
    template: str,
    unit: AdministrativeUnit,
    form: Any,
    **extra: Any,
) -> HttpResponse:
    """A form page; a refused POST answers 400 with the form and its messages."""
    context = {"unit": unit, "form": form, "ancestors": _ancestors(request, unit), **extra}
    return render(request, template, context, status=400 if request.method == "POST" else 200)


def _attempt(form: Any, action: Callable[[], T]) -> T | None:
    """Run a service; its refusal goes onto the form ("not yours" goes on, to a 404)."""
    try:
        return action()
    except ApplicationError as exc:
        form.add_service_error(exc)
        return None


def _is_htmx(request: HttpRequest) -> bool:
    """An in-place update from htmx (not a history restore, which needs the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What each of the user's roles must do now (sections registered by other apps, see
    ``panels.register_home_panel``), then the user's units and roles."""
    assignments = sorted(
        (a for a in assignments_of(request.user) if a.unit is not None),
        key=lambda a: (a.unit.level, a.unit.sort_key),
    )
    provinces = None
    if is_system_admin(request.user):
        provinces = (
            AdministrativeUnit.objects.filter(level=Level.PROVINCE).current().in_vietnamese_order()
        )
    context = {
        "assignments": assignments,
        "provinces": provinces,
        "panels": home_panels(request),
    }
    return render(request, "geo/home.html", context)


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    unit = _unit_or_404(request, code)
    query = request.GET.get("q", "")
    # A search typed into the page (htmx) gets the rows only: none of the rest is read for it.
    rows_only = _is_htmx(request)
    context: dict[str, object] = {"unit": unit, "query": query}
    if unit.level in (Level.PROVINCE, Level.DISTRICT):
        context["children"] = unit_rows(
            selectors.units_search(
                selectors.units_visible_to_children(unit, user=request.user), query
            ).in_vietnamese_order()
        )
        if rows_only:
            return _rows(request, "geo/partials/unit_rows.html", context)
        context["panels"] = province_panels(request, unit)
        template = "geo/province.html"
    elif unit.level == Level.COMMUNE:
        show_ended = request.GET.get("ended") == "1"
        context["children"] = unit_rows(
            selectors.villages_of(unit, user=request.user, query=query, include_ended=show_ended)
        )
        if rows_only:
            return _rows(request, "geo/partials/village_rows.html", context)
        context["show_ended"] = show_ended
        context["can_manage"] = can_manage = can_manage_villages(request.user, unit) is None
        if can_manage:
            context["create_fields"] = _village_create_fields()
        context["panels"] = commune_panels(request, unit)
        template = "geo/commune.html"
    else:
        assert unit.parent is not None
        context["can_manage"] = can_change_village(request.user, unit) is None
        context["rename_form"] = VillageRenameForm(initial={"new_name": unit.name})
        context["end_form"] = VillageEndForm()
        context["name_changes"] = unit.name_changes.all()
        context["panels"] = village_panels(request, unit)
        template = "geo/village.html"
    context["successions"], context["predecessions"] = _successions(request, unit)
    context["ancestors"] = _ancestors(request, unit)
    context["roles"] = roles_on(request.user, unit)
    return _rows(request, template, context)


def _rows(request: HttpRequest, template: str, context: dict[str, object]) -> HttpResponse:
    """The page or, for htmx, its rows; either way cached apart (``Vary: HX-Request``)."""
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _managed_commune(request: HttpRequest, code: str) -> AdministrativeUnit:
    commune = _unit_or_404(request, code)
    if commune.level != Level.COMMUNE:
        raise NotFoundError()
    refuse(can_manage_villages(request.user, commune))
    return commune


def _managed_village(request: HttpRequest, code: str) -> AdministrativeUnit:
    village = _unit_or_404(request, code)
    refuse(can_change_village(request.user, village))
    return village


@login_required
def village_create_view(request: HttpRequest, code: str) -> HttpResponse:
    commune = _managed_commune(request, code)
    form = VillageCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        village = _attempt(
            form,
            lambda: services.village_create(
                actor=request.user, commune=commune, **form.cleaned_data
            ),
        )
        if village is not None:
            messages.success(
                request,
                _("Added %(name)s (code %(code)s).") % {"name": village.name, "code": village.code},
            )
            return redirect("geo:unit", code=commune.code)
    return _form_page(request, "geo/village_create.html", commune, form)


@login_required
def village_rename_view(request: HttpRequest, code: str) -> HttpResponse:
    village = _managed_village(request, code)
    form = VillageRenameForm(request.POST or None, initial={"new_name": village.name})
    if request.method == "POST" and form.is_valid():
        old_name = village.name
        renamed = _attempt(
            form,
            lambda: services.village_rename(
                actor=request.user, village=village, **form.cleaned_data
            ),
        )
        if renamed is not None:
            messages.success(
                request,
                _("Renamed %(old)s to %(new)s.") % {"old": old_name, "new": village.name},
            )
            return redirect("geo:unit", code=village.code)
    return _form_page(
        request,
        "geo/village_form.html",
        village,
        form,
        title=_("Rename %(name)s") % {"name": village.name},
        submit=_("Rename"),
    )


@login_required
def village_end_view(request: HttpRequest, code: str) -> HttpResponse:
    village = _managed_village(request, code)
    form = VillageEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ended = _attempt(
            form,
            lambda: services.village_end(actor=request.user, village=village, **form.cleaned_data),
        )
        if ended is not None:
            messages.success(
                request,
                _("%(name)s has ended. You can restore it from its page if this was a mistake.")
                % {"name": village.name},
            )
            assert village.parent is not None
            return redirect("geo:unit", code=village.parent.code)
    return _form_page(
        request,
        "geo/village_form.html",
        village,
        form,
        title=_("End %(name)s") % {"name": village.name},
        submit=_("End the village"),
        danger=True,
    )


@login_required
@require_POST
def village_restore_view(request: HttpRequest, code: str) -> HttpResponse:
    village = _managed_village(request, code)
    services.village_restore(actor=request.user, village=village)
    messages.success(request, _("%(name)s is current again.") % {"name": village.name})
    return redirect("geo:unit", code=village.code)


@login_required
def villages_merge_view(request: HttpRequest, code: str) -> HttpResponse:
    commune = _managed_commune(request, code)
    villages = selectors.villages_of(commune, user=request.user)
    form = VillageMergeForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = _attempt(
            form,
            lambda: services.villages_merge(
                actor=request.user,
                villages=list(data["villages"]),
                into=data["into"],
                new_name=data["new_name"],
                kind=data["kind"],
                effective_date=data["effective_date"],
                decision=data["decision"],
            ),
        )
        if target is not None:
            messages.success(
                request,
                _("The villages were merged into %(name)s. The merge can be undone from its page.")
                % {"name": target.name},
            )
            return redirect("geo:unit", code=target.code)
    return _form_page(request, "geo/villages_merge.html", commune, form)


@login_required
@require_POST
def villages_merge_undo_view(request: HttpRequest, code: str) -> HttpResponse:
    village = _managed_village(request, code)
    restored = services.villages_merge_undo(actor=request.user, target=village)
    messages.success(
        request,
        _("Merge undone: %(names)s are current again.")
        % {"names": ", ".join(v.name for v in restored)},
    )
    assert village.parent is not None
    return redirect("geo:unit", code=village.parent.code)


@login_required
def villages_import_view(request: HttpRequest, code: str) -> HttpResponse:
    commune = _managed_commune(request, code)
    form = VillageImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 1_000_000:
            form.add_error(
                "file", _("The file is larger than 1 MB; a village list is much smaller.")
            )
        else:
            try:
                result = services.villages_import_csv(
                    actor=request.user, commune=commune, content=upload.read()
                )
            except NotFoundError:
                raise
            except ApplicationError as exc:
                for line in exc.message.splitlines():
                    form.add_error("file", line)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Added %(created)s village; %(unchanged)s already in the list.",
                        "Added %(created)s villages; %(unchanged)s already in the list.",
                        len(result.created),
                    )
                    % {"created": len(result.created), "unchanged": len(result.unchanged)},
                )
                return redirect("geo:unit", code=commune.code)
    return _form_page(request, "geo/villages_import.html", commune, form)
