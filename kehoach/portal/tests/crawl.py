"""Everything a visitor without an account can reach from the portal's home page, as text: every
page linked (breadcrumbs, provinces, communes, plans, versions, villages, works, the
dictionary), every open-data file linked (CSV and JSON as text, XLSX read back with
python-calamine), and a search for each name given. A test then asserts what must never be in
it."""

from __future__ import annotations

import io
from collections.abc import Iterable
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from django.test import Client
from python_calamine import CalamineWorkbook

START = "/cong-khai/"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or (tag == "img" and name == "src")):
                self.links.append(value)


def xlsx_text(content: bytes) -> str:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    lines = []
    for name in book.sheet_names:
        for row in book.get_sheet_by_name(name).to_python():
            lines.append("\t".join(str(cell) for cell in row))
    return "\n".join(lines)


def body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def crawl(client: Client, searches: Iterable[str] = ()) -> dict[str, str]:
    """URL → text of everything public reachable from the portal (images: their type)."""
    queue = [START, *(f"{START}?{urlencode({'q': q})}" for q in searches)]
    seen: dict[str, str] = {}
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        content = body(response)
        kind = response["Content-Type"]
        if kind.startswith("image/"):
            seen[url] = kind
            continue
        if url.endswith(".xlsx"):
            seen[url] = xlsx_text(content)
            continue
        text = content.decode("utf-8-sig")
        seen[url] = text
        if kind.startswith("text/html"):
            parser = _Links()
            parser.feed(text)
            for link in parser.links:
                target = urljoin(url, link)
                parts = urlsplit(target)
                if parts.netloc or not parts.path.startswith(START):
                    continue
                queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return seen


def everything(client: Client, searches: Iterable[str] = ()) -> str:
    return "\n".join(crawl(client, searches).values())
