"""Where the keyboard focus goes after a form comes back.

htmx focuses the element marked ``autofocus`` in the content it has just swapped in, and a
browser does the same on a page load; without a mark the focus is lost with the button that was
pressed (it is no longer in the page) and a keyboard user starts again from the top. So a form
that comes back with errors marks its first field in error, and a view that shows a new or saved
row marks that row's first link (``focus_line`` in the templates).
"""

from __future__ import annotations

from django import forms


def focus_first_error(form: forms.BaseForm) -> None:
    """Mark the first field with an error for the focus; for an error of the whole form (no
    field named), the first field that can be typed in."""
    if not form.is_bound or not form.errors:
        return
    visible = [name for name, field in form.fields.items() if not field.widget.is_hidden]
    named = [name for name in visible if name in form.errors]
    for target in (named or visible)[:1]:
        form.fields[target].widget.attrs["autofocus"] = True


def focus_first_field(form: forms.BaseForm) -> None:
    """Mark the first field that can be typed in (a form just opened in place)."""
    for field in form.fields.values():
        if not field.widget.is_hidden:
            field.widget.attrs["autofocus"] = True
            return
