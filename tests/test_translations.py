"""Vietnamese first: every msgid has a Vietnamese translation, none fuzzy, placeholders kept."""

from __future__ import annotations

import ast
import contextlib
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import translation

from kehoach.core.numbers import ParseError, parse_date_vi, parse_decimal_vi, parse_money_mvnd

PO = Path(__file__).resolve().parent.parent / "locale" / "vi" / "LC_MESSAGES" / "django.po"


def _entries(po: Path = PO) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = []
    current: dict[str, object] = {"flags": ""}
    key = ""
    for raw in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if "msgid" in current:
                entries.append(current)
            current, key = {"flags": ""}, ""
        elif line.startswith("#,"):
            current["flags"] = line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] = str(current[key]) + ast.literal_eval(line)
        else:
            key, _, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
    return entries


def _problems(po: Path) -> tuple[list[object], list[object]]:
    entries = [e for e in _entries(po) if e["msgid"]]
    assert len(entries) > 100
    untranslated = [
        e["msgid"]
        for e in entries
        if not any(str(v).strip() for k, v in e.items() if str(k).startswith("msgstr"))
    ]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in str(e["flags"])]
    return untranslated, fuzzy


def test_every_message_is_translated_and_none_is_fuzzy() -> None:
    assert _problems(PO) == ([], [])


def test_the_catalogue_holds_every_message_of_the_code(tmp_path: Path, settings: Any) -> None:
    """Extract the messages again, into a copy of the catalogue: a string added to the code or
    a template but not to django.po shows up there as untranslated. The copy sits in a tree of
    symbolic links to the sources, so makemessages never touches the real catalogue."""
    root = PO.parent.parent.parent.parent
    for name in ("config", "kehoach", "tests"):
        (tmp_path / name).symlink_to(root / name, target_is_directory=True)
    shutil.copytree(root / "locale", tmp_path / "locale")
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    with contextlib.chdir(tmp_path):
        call_command("makemessages", locale=["vi"], symlinks=True, no_obsolete=True, verbosity=0)
    assert _problems(tmp_path / "locale" / "vi" / "LC_MESSAGES" / "django.po") == ([], [])


def test_placeholders_are_kept() -> None:
    placeholder = re.compile(r"%\(\w+\)[sd]")
    for entry in _entries():
        if not entry["msgid"]:
            continue
        expected = sorted(placeholder.findall(str(entry["msgid"])))
        for key, value in entry.items():
            if str(key).startswith("msgstr"):
                assert sorted(placeholder.findall(str(value))) == expected, entry["msgid"]


@pytest.mark.parametrize(
    ("parse", "value", "vietnamese"),
    [
        (parse_decimal_vi, "1,2,3", "“1,2,3” không phải là số."),
        (parse_money_mvnd, "-5", "“-5” là số âm; số tiền không được nhỏ hơn 0."),
        (parse_date_vi, "31/02/2026", "“31/02/2026” không phải là ngày có thật"),
        (parse_date_vi, "hôm qua", "“hôm qua” không phải là ngày."),
    ],
)
def test_bad_numbers_and_dates_get_a_vietnamese_message(
    parse: object, value: str, vietnamese: str
) -> None:
    with translation.override("vi"), pytest.raises(ParseError) as caught:
        parse(value)  # type: ignore[operator]
    assert str(caught.value.message).startswith(vietnamese)
