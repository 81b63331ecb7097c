"""No template and no markup written in Python needs what the Content-Security-Policy forbids
(kehoach/core/csp.py): an inline ``<script>``, an ``on…=`` handler, a ``style=`` attribute or a
``<style>`` element, a ``javascript:`` URL, a plugin, or htmx code that it would ``eval``
(``hx-on``, ``js:`` values, ``[…]`` trigger filters). A page that did would break in the
browser; this finds it before.

Every template under kehoach/templates/ and kehoach/<app>/templates/ is read, new ones too.
The one exception is kehoach/exchange/templates/exchange/documents/: the PDF layouts, which
WeasyPrint renders on the server and no browser ever receives (their styles must be inline:
WeasyPrint is told to fetch nothing).
"""

from __future__ import annotations

import ast
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
KEHOACH = ROOT / "kehoach"
PDF_LAYOUTS = KEHOACH / "exchange" / "templates" / "exchange" / "documents"

_COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}", re.S)
_TAG_SYNTAX = re.compile(r"\{%.*?%\}", re.S)
_VARIABLE = re.compile(r"\{\{.*?\}\}", re.S)
_ELEMENT = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9:-]*)((?:\s+[^\s=/>\"']+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*/?>"
)
_ATTRIBUTE = re.compile(r"([^\s=/>\"']+)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>]+))?")
_PLUGINS = {"object", "embed", "applet"}


@dataclass(frozen=True)
class Problem:
    where: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.where}:{self.line}: {self.what}"


def _masked(source: str) -> str:
    """The template with its own syntax replaced by text of the same lines: comments go,
    ``{% … %}`` becomes a space, ``{{ … }}`` an ``x`` (so that ``href="{{ url }}"`` stays an
    attribute and ``{% if a %} hidden{% endif %}`` stays inside its tag)."""

    source = _COMMENT.sub(lambda m: _same_lines("", m), source)
    source = _TAG_SYNTAX.sub(lambda m: _same_lines(" ", m), source)
    return _VARIABLE.sub(lambda m: _same_lines("x", m), source)


def _same_lines(replacement: str, match: re.Match[str]) -> str:
    return replacement + "\n" * match.group(0).count("\n")


def _value(raw: str | None) -> str:
    if raw is None:
        return ""
    if raw[:1] in "\"'":
        raw = raw[1:-1]
    # as a browser reads it: entities decoded, then tabs, newlines and spaces ignored
    return re.sub(r"[\s\x00-\x1f]", "", html.unescape(raw)).lower()


def markup_problems(source: str, where: str, *, template: bool = True) -> list[Problem]:
    """What in this markup the policy would refuse."""
    text = _masked(source) if template else source
    problems: list[Problem] = []
    read = {m.start() for m in _ELEMENT.finditer(text)}
    for start in (m.start() for m in re.finditer(r"<[a-zA-Z]", text)):
        if start not in read:  # a tag this scan cannot read is a failure, never a pass
            problems.append(Problem(where, text.count("\n", 0, start) + 1, "unreadable tag"))
    for element in _ELEMENT.finditer(text):
        line = text.count("\n", 0, element.start()) + 1
        tag = element.group(1).lower()
        attributes = {name.lower(): raw for name, raw in _ATTRIBUTE.findall(element.group(2) or "")}

        def problem(what: str, line: int = line) -> None:
            problems.append(Problem(where, line, what))

        if tag == "script" and "src" not in attributes:
            problem("inline <script> (put it in a file under static/js/)")
        if tag == "style":
            problem("<style> element (put the rules in static/css/kehoach.css)")
        if tag in _PLUGINS:
            problem(f"<{tag}> (plugins are refused: object-src 'none')")
        for name, raw in attributes.items():
            value = _value(raw)
            if re.fullmatch(r"on[a-z]+", name):
                problem(f"{name}= handler (attach it from a file under static/js/)")
            elif name == "style":
                problem("style= attribute (use a class from static/css/kehoach.css)")
            elif re.fullmatch(r"(?:data-)?hx-on(?:[:-].*)?", name):
                problem(f"{name}= (htmx would eval it)")
            elif name.removeprefix("data-") in ("hx-vals", "hx-headers") and value.startswith(
                ("js:", "javascript:")
            ):
                problem(f"{name}= with js: (htmx would eval it)")
            elif name.removeprefix("data-") == "hx-trigger" and "[" in value:
                problem("hx-trigger with a [filter] (htmx would eval it)")
            if value.startswith("javascript:"):
                problem(f"javascript: URL in {name}=")
    return sorted(problems, key=lambda p: p.line)


def templates() -> list[Path]:
    roots = [KEHOACH / "templates", *sorted(KEHOACH.glob("*/templates"))]
    return sorted(p for root in roots for p in root.rglob("*.html"))


def browser_templates() -> list[Path]:
    return [p for p in templates() if not p.is_relative_to(PDF_LAYOUTS)]


def _docstrings(tree: ast.AST) -> set[int]:
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def python_problems(path: Path, root: Path = ROOT) -> list[Problem]:
    """Markup in the string constants of a module (format_html, mark_safe, SVG built as text);
    docstrings, which only talk about markup, are not read."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    problems: list[Problem] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            for p in markup_problems(node.value, str(path.relative_to(root)), template=False):
                problems.append(Problem(p.where, node.lineno + p.line - 1, p.what))
    return problems


def python_modules() -> list[Path]:
    return sorted(
        p
        for p in KEHOACH.rglob("*.py")
        if "tests" not in p.relative_to(KEHOACH).parts and "migrations" not in p.parts
    )


def html_modules() -> list[Path]:
    """The modules that hand markup to a page: they mark it safe (``format_html``,
    ``mark_safe``, ``SafeString``). Others write XML for workbooks, which no browser reads."""
    return [
        p
        for p in python_modules()
        if re.search(r"^from django\.utils\.(?:html|safestring) import", p.read_text("utf-8"), re.M)
    ]


def code_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
    ]


# --- the scanner finds what it must ---------------------------------------------------------


def test_the_scan_finds_every_kind_of_refused_markup() -> None:
    source = """{% load static %}<!doctype html>
<script>alert(1)</script>
<script src="{% static 'js/htmx.min.js' %}" defer></script>
<script type="module"
        >import("x")</script>
<button type="button" onclick="go()">Đi</button>
<body ONLOAD = 'x()'>
<p style="color: red">Đỏ</p>
<col style="width: {{ w }}%">
<style>p{color:red}</style>
<a href=" JavaScript:alert(1)">x</a>
<form action="java&#x09;script:x" hx-on::after-request="x()" hx-on-click="y()">
<div hx-vals='js:{a: location.href}' data-hx-on:click="z()"></div>
<input hx-trigger="keyup[key=='Enter']">
<object data="x.swf"></object>
<a href="{% url 'home' %}" class="btn{% if on %} active{% endif %}">Trang chủ</a>
{# <script>commented out</script> #}
{% comment %}<p style="x">also</p>{% endcomment %}
<p>Tỉ lệ style=3 và onclick=2 chỉ là chữ</p>
<p id="x"/style="color: red">
"""
    found = [(p.line, p.what.split(" (")[0]) for p in markup_problems(source, "t.html")]

    assert found == [
        (2, "inline <script>"),
        (4, "inline <script>"),
        (6, "onclick= handler"),
        (7, "onload= handler"),
        (8, "style= attribute"),
        (9, "style= attribute"),
        (10, "<style> element"),
        (11, "javascript: URL in href="),
        (12, "javascript: URL in action="),
        (12, "hx-on::after-request="),
        (12, "hx-on-click="),
        (13, "hx-vals= with js:"),
        (13, "data-hx-on:click="),
        (14, "hx-trigger with a [filter]"),
        (15, "<object>"),
        (20, "unreadable tag"),
    ]


def test_markup_written_in_python_is_read_but_docstrings_are_not(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        '"""Pages have no inline <script> and no style="…" attribute."""\n'
        "from django.utils.html import format_html\n"
        "\n"
        "def badge(n):\n"
        '    """Writes <span style=...>."""\n'
        '    return format_html(\'<span class="badge" style="color:red">{}</span>\', n)\n',
        encoding="utf-8",
    )
    found = python_problems(module, root=tmp_path)

    assert [(p.where, p.line, p.what.split(" (")[0]) for p in found] == [
        ("m.py", 6, "style= attribute")
    ]


# --- the code base --------------------------------------------------------------------------


def test_every_template_a_browser_receives_keeps_to_the_policy() -> None:
    scanned = browser_templates()
    names = {str(p.relative_to(KEHOACH)) for p in scanned}
    # the scan reads them all: the base, error pages, login, the portal, the admin's neighbours
    assert {
        "templates/base.html",
        "templates/403_csrf.html",
        "templates/errors/404.html",
        "templates/errors/500.html",
        "accounts/templates/accounts/login.html",
        "portal/templates/portal/layout.html",
        "plans/templates/plans/partials/line_row.html",
    } <= names
    assert len(scanned) > 100

    problems = [
        problem
        for path in scanned
        for problem in markup_problems(
            path.read_text(encoding="utf-8"), str(path.relative_to(ROOT))
        )
    ]
    assert not problems, "\n".join(map(str, problems))


def test_no_python_module_writes_refused_markup() -> None:
    modules = html_modules()
    assert KEHOACH / "monitoring" / "charts.py" in modules

    problems = [problem for path in modules for problem in python_problems(path)]
    assert not problems, "\n".join(map(str, problems))


def test_the_server_drawn_charts_use_presentation_attributes() -> None:
    from kehoach.monitoring.charts import Chart, Row

    chart = Chart(
        id="c",
        title="Giải ngân theo nguồn vốn",
        description="Kế hoạch và đã giải ngân",
        label_header="Nguồn",
        series=["Kế hoạch", "Đã giải ngân"],
        rows=[Row("Ngân sách xã", [120, 80]), Row('<b style="x">Dân góp</b>', [20, 5])],
    )
    svg = str(chart.svg)

    assert markup_problems(svg, "chart", template=False) == []
    assert 'fill="#1f3a5f"' in svg
    assert "style" not in svg.replace('&lt;b style="x"', "")


def test_the_pdf_layouts_reach_weasyprint_only() -> None:
    """The exempted templates are read by one module, which gives them to WeasyPrint."""
    layouts = [p for p in templates() if p.is_relative_to(PDF_LAYOUTS)]
    assert layouts  # the exception is not empty by mistake (paths moved)
    readers = [
        str(path.relative_to(KEHOACH))
        for path in python_modules()
        if any("exchange/documents/" in text for text in code_strings(path))
    ]
    assert readers == ["exchange/documents/pdf.py"]
    pdf = (KEHOACH / "exchange" / "documents" / "pdf.py").read_text(encoding="utf-8")
    assert "HttpResponse" not in pdf


def test_htmx_is_told_not_to_inject_styles_nor_eval_code() -> None:
    base = (KEHOACH / "templates" / "base.html").read_text(encoding="utf-8")
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", base)
    assert meta is not None
    config = json.loads(meta.group(1))
    assert config["includeIndicatorStyles"] is False
    assert config["allowEval"] is False
    assert config["allowScriptTags"] is False
    assert config["selfRequestsOnly"] is True
    assert base.index('name="htmx-config"') < base.index("js/htmx.min.js")

    # the vendored htmx reads that meta element and knows those settings
    htmx = (KEHOACH / "static" / "js" / "htmx.min.js").read_text(encoding="utf-8")
    assert 'meta[name="htmx-config"]' in htmx
    for key in config:
        assert f"{key}:" in htmx, key
    # and the indicator rules it would have injected are in the stylesheet instead
    css = (KEHOACH / "static" / "css" / "kehoach.css").read_text(encoding="utf-8")
    assert ".htmx-indicator{opacity:0" in css
    assert ".htmx-request .htmx-indicator" in css
