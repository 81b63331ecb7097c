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
    """What table.html needs. With details, each row and its detail are a row group of their
    own, which a page break never splits; a total or subtotal row joins the group before it, so
    the end of the table never starts a page alone."""
    whole = sum(c.width for c in table.columns) or 1
    details = any(row.detail for row in table.rows)
    rows: list[dict[str, Any]] = [
        {"style": style, "cells": cells, "detail": row.detail}
        for row, (style, cells) in zip(table.rows, rendered_rows(table, decimals), strict=True)
    ]
    for index, row in enumerate(rows):
        joins = index > 0 and row["style"] in ("subtotal", "total")
        row["opens"] = index == 0 or (details and not joins)
        following = rows[index + 1]["style"] if index + 1 < len(rows) else None
        row["closes"] = following is None or (details and following not in ("subtotal", "total"))
    return {
        "title": table.title,
        "wide": table.wide,
        "note": table.note,
        "empty": table.empty,
        "columns": [
            {"label": c.label, "numeric": c.numeric, "width": round(100 * c.width / whole, 2)}
            for c in table.columns
        ],
        "rows": rows,
        "detail_label": table.detail_label,
        "details": details,
        "detail_span": len(table.columns) - 1,
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
            "new_page": part.new_page,
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


def sheet_html(template: str, context: dict[str, Any]) -> str:
    return render_to_string(TEMPLATES + template, context)


def sheet_pdf(template: str, context: dict[str, Any]) -> bytes:
    """A one-off layout (feedback sheet, poster) from its template and context."""
    return html_to_pdf(sheet_html(template, context))


def sheets_pdf(htmls: list[str]) -> bytes:
    """Several sheets in one PDF, each laid out on its own (its pages numbered "1/2", "2/2"
    within it) and their pages put one after the other."""
    from weasyprint import HTML

    if not htmls:
        raise ValueError("no sheet to render")
    documents = [HTML(string=html, url_fetcher=refuse_fetch).render() for html in htmls]
    pages = [page for document in documents for page in document.pages]
    return bytes(documents[0].copy(pages).write_pdf())
