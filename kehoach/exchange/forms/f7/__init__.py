"""F7 — the five-year village plan (Kế hoạch phát triển thôn 5 năm): out pre-filled with one
group of columns per year of the period (quantity, cost, status), in with every line checked
by the rules of the web page (``midterm.services.lines.check_medium_term_line``), a year's
status changed by hand (planned ↔ dropped, with its reason) and everything applied at once by
the one writer of five-year lines (``save_medium_term_line``, ``set_year_status``).

The package: ``common`` (the period's columns, the lists, the statuses), ``exporting``
(``export``), ``reading`` (``read``, ``apply``), ``target`` (what an upload changes, who may
change it, its fingerprint), ``views`` (download and upload)."""

from .common import FORM
from .exporting import INSTRUCTIONS, export
from .reading import Reading, apply, read

__all__ = ["FORM", "INSTRUCTIONS", "Reading", "apply", "export", "read"]
