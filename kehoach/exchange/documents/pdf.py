"""PDF formatter (WeasyPrint): a document model or a sheet's context, through an HTML/CSS
template, to PDF bytes.

Nothing is fetched while rendering: the templates carry their styles inline, name their fonts
by family (Noto Serif and Noto Sans from Debian's fonts-noto-core, found through fontconfig and
embedded as subsets, with every Vietnamese letter), and the URL fetcher refuses every URL, so a
name or a text typed by a user can never make the server load anything.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from .model import Block, Document, Part, Table, rendered_rows, runs
from .texts import national_heading

TEMPLATES = "exchange/documents/"


class FetchRefused(ValueError):
    pass


def refuse_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    """Documents load nothing: no network, no file."""
    raise FetchRefused(f"kehoach documents load no resources ({url[:80]})")


def css_string(text: str) -> str:
    """A text as a CSS string literal (for the page footer's "Trang")."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return f'"{escaped}"'


def table_context(table: Table, decimals: int) -> dict[str, Any]:
    whole = sum(c.width for c in table.columns) or 1
    return {
        "title": table.title,
        "wide": table.wide,
        "note": table.note,
        "empty": table.empty,
        "columns": [
            {"label": c.label, "numeric": c.numeric, "width": round(100 * c.width / whole, 2)}
            for c in table.columns
        ],
        "rows": [
            {"style": style, "cells": cells} for style, cells in rendered_rows(table, decimals)
        ],
    }


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: loading pango takes a moment

    return bytes(HTML(string=html, url_fetcher=refuse_fetch).write_pdf())


def segments(part: Part, decimals: int) -> list[dict[str, Any]]:
    return [
        {"wide": wide, "blocks": [block_context(b, decimals) for b in blocks]}
        for wide, blocks in runs(part)
    ]


def block_context(block: Block, decimals: int) -> dict[str, Any]:
    item: dict[str, Any] = {
        "kind": block.kind,
        "text": block.text,
        "level": block.level,
        "items": block.items,
    }
    if block.table is not None:
        item["table"] = table_context(block.table, decimals)
    return item


def document_html(document: Document, template: str = "commune_plan.html") -> str:
    parts = [
        {
            "title": part.title,
            "signed": part.signed,
            "first": index == 0,
            "segments": segments(part, document.decimals),
        }
        for index, part in enumerate(document.parts)
    ]
    return render_to_string(
        TEMPLATES + template,
        {
            "doc": document,
            "cover": document.cover,
            "parts": parts,
            "signature": document.signature,
            "nation": national_heading(),
            "page_label": css_string(document.page_label),
            "draft_label": css_string(document.cover.draft_label),
        },
    )


def document_pdf(document: Document) -> bytes:
    return html_to_pdf(document_html(document))


def sheet_pdf(template: str, context: dict[str, Any]) -> bytes:
    """A one-off layout (feedback sheet, poster) from its template and context."""
    return html_to_pdf(render_to_string(TEMPLATES + template, context))
