"""The other ways a programme's workbook titles a layout's columns: shipped as data in
``exchange/synonyms.json`` and extended by an administrator (``HeaderSynonym`` rows). Compared
folded, so case and diacritics do not matter."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

SYNONYMS_FILE = Path(__file__).resolve().parent.parent / "synonyms.json"
ANY_FORM = "*"


@cache
def shipped_synonyms() -> dict[str, dict[str, tuple[str, ...]]]:
    """``exchange/synonyms.json``: form ("*" = any form) → layout key → header texts."""
    data = json.loads(SYNONYMS_FILE.read_text(encoding="utf-8"))
    return {
        form: {key: tuple(texts) for key, texts in keys.items()}
        for form, keys in data.items()
        if not form.startswith("_") and isinstance(keys, dict)
    }


def synonyms_for(form: str) -> dict[str, list[str]]:
    """Layout key → the header texts that name it in ``form``'s workbooks: the shipped ones
    for any form and for this form, then the administrator's active rows (one query)."""
    from ..models import HeaderSynonym

    shipped = shipped_synonyms()
    out: dict[str, list[str]] = {}
    for part in (ANY_FORM, form):
        for key, texts in shipped.get(part, {}).items():
            out.setdefault(key, []).extend(texts)
    rows = HeaderSynonym.objects.filter(is_active=True, form__in=["", form]).values_list(
        "key", "text"
    )
    for key, text in rows:
        if text.strip():
            out.setdefault(key, []).append(text.strip())
    return {key: list(dict.fromkeys(texts)) for key, texts in out.items()}
