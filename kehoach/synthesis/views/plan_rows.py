"""The rows of the commune plan's table (F9), written here once per line rather than by the
template cell by cell: a page of 50 lines was some 1.300 template variables, most of the page's
rendering time (issue 16). The HTML is the one the template wrote; every value is escaped
(``escape``)."""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import reverse
from django.utils.html import escape as e
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kehoach.core.templatetags.vn import compact, money, number

from ..models import CommuneLine
from ..plan_page import villages_by_line

ANY_UID = uuid.UUID(int=0)

ROW = {
    "start": '<tr id="line-{}">\n',
    "start_review": '<tr id="line-{}" class="review">\n',
    "choose": (
        '<td><input type="checkbox" name="lines" value="{0}" id="pick-{0}" aria-label="{1}"></td>\n'
    ),
    "activity": '<td class="num">{}</td>\n<td><a href="{}">{}</a>',
    "review": ' <span class="tag">{}</span>',
    "comments": ' <a class="tag comment-tag" href="{}#comments">{}</a>',
    "details": (
        '\n<details class="line-more" hx-get="{}" hx-trigger="toggle once" '
        'hx-target="find .more"><summary>{}</summary><div class="more">'
        '<a href="{}">{}</a></div></details></td>\n'
    ),
    "cells": (
        "<td>{}</td>\n"
        '<td class="num">{}</td>\n'
        '<td class="num">{} {}</td>\n'
        "<td>{}–{}</td>\n"
        '<td class="num">{}</td><td class="num">{}</td><td class="num">{}</td>\n'
        '<td class="num">{}</td><td class="num">{}</td>\n'
        '<td><span class="tag decision-{}">{}</span>'
    ),
    "by_hand": ' <span class="muted">({})</span>',
}
"""The tags of a row, whole (each value put in escaped by ``RowWriter.row``)."""


def line_urls(plan: Any) -> tuple[str, str]:
    """The address of a line's page and of its details, with ``ANY_UID`` for the line's uid:
    reversed once for the page's rows rather than once a row."""
    return (
        reverse("synthesis:line", args=[plan.uid, ANY_UID]),
        reverse("synthesis:line_more", args=[plan.uid, ANY_UID]),
    )


def _month(value: Any) -> str:
    return f"{value.month:02d}/{value.year}" if value else ""


class RowWriter:
    """Writes a page's rows: the labels every row repeats are translated once."""

    def __init__(self, plan: Any, can_edit: bool) -> None:
        self.can_edit = can_edit
        self.line_url, self.more_url = line_urls(plan)
        self.any_uid = str(ANY_UID)
        self.details = e(_("Details"))
        self.open_line = e(_("Open the line"))
        self.by_hand = e(_("by hand"))

    def url(self, line: CommuneLine) -> str:
        return self.line_url.replace(self.any_uid, str(line.uid))

    def row(self, line: CommuneLine) -> SafeString:
        """One line's ``<tr>``; ``line`` carries ``villages``, ``score`` and ``open_comments``
        (set by the view). Every value is escaped (``e``) into the whole tags of ``ROW``."""
        uid = str(line.uid)
        url = e(self.line_url.replace(self.any_uid, uid))
        score = getattr(line, "score", None)
        comments = getattr(line, "open_comments", 0)
        out = [(ROW["start_review"] if line.review else ROW["start"]).format(uid)]
        if self.can_edit:
            label = _("Choose line %(number)s") % {"number": line.number}
            out.append(ROW["choose"].format(uid, e(label)))
        out.append(ROW["activity"].format(line.number, url, e(line.activity)))
        if line.review:
            out.append(ROW["review"].format(e(line.get_review_display())))
        if comments:
            text = ngettext("%(n)s comment", "%(n)s comments", comments) % {"n": comments}
            out.append(ROW["comments"].format(url, e(text)))
        more = e(self.more_url.replace(self.any_uid, uid))
        out.append(ROW["details"].format(more, self.details, url, self.open_line))
        villages = line.organisation or ", ".join(getattr(line, "villages", []))
        rank = f"{score.rank}{'*' if line.rank_override else ''}" if score is not None else ""
        out.append(
            ROW["cells"].format(
                e(villages),
                line.village_priority or "",
                e(compact(line.quantity)),
                e(line.unit.name),
                _month(line.start_month),
                _month(line.end_month),
                e(money(line.total_cost_mvnd)),
                e(money(line.contribution_mvnd)),
                e(money(line.external_support_mvnd)),
                e(number(score.score, 2)) if score is not None else "",
                e(rank),
                e(line.decision),
                e(line.get_decision_display()),
            )
        )
        if line.decision_origin == "manual":
            out.append(ROW["by_hand"].format(self.by_hand))
        out.append("</td>\n</tr>")
        return mark_safe("".join(out))  # every value escaped by ``e``


def with_url(obj: Any, url: str) -> Any:
    obj.url = url  # the address the template shows (reversed once for all the page's links)
    return obj


def groups_of(
    writer: RowWriter,
    lines: list[CommuneLine],
    sectors: dict[int, dict[str, Any]],
    scores: dict[int, Any],
    comments: dict[str, int],
) -> list[dict[str, Any]]:
    """The page's lines by sector (already in sector order), each sector with the totals of
    all its lines that the filters keep, not only of those on this page; each line's row
    written with its villages, score and rank, and open comments."""
    villages = villages_by_line(lines)
    groups: dict[int, dict[str, Any]] = {}
    for line in lines:
        line.villages = villages.get(line.pk, [])  # type: ignore[attr-defined]
        line.score = scores.get(line.pk)  # type: ignore[attr-defined]
        line.open_comments = comments.get(str(line.uid), 0)  # type: ignore[attr-defined]
        group = groups.get(line.sector_id)
        if group is None:
            group = groups[line.sector_id] = {
                "sector": line.sector,
                "rows": [],
                **sectors.get(line.sector_id, {}),
            }
        group["rows"].append(writer.row(line))
    return list(groups.values())
