"""F10 — the commune scoring: every active line with one column per criterion of the round's
process profile (the layout's ``criteria`` column spread, like F12's sources), its score and
its rank. The computed criteria are locked (their points, for reference); the criteria the
commune judges are open cells. The score is a live formula (Σ weight × points / Σ weights, as
kehoach computes it) so the planner sees it move while typing offline; the rank is the one at
download. Back in, each changed score is checked by ``synthesis.services.scoring.scores_clean``
and saved by ``line_scores_apply`` with each line's version at download — the validators and the
writer of the scoring grid. A separate form rather than F9 columns: F9 already has 17 columns,
the criteria (nine by default, a province may add more) would double it, and F10 is the
scoring form of the method.

Modules: ``common`` (the criteria columns, signature and digests), ``export``, ``reading`` (the
check and its preview), ``apply`` (the confirmation: ``apply``, ``keep``, ``restore``,
``write``)."""

from .apply import KEPT_VERSION, apply, keep, restore, write
from .common import FORM, LANGUAGE
from .export import INSTRUCTIONS, export
from .reading import Item, Reading, read

__all__ = [
    "FORM",
    "INSTRUCTIONS",
    "KEPT_VERSION",
    "LANGUAGE",
    "Item",
    "Reading",
    "apply",
    "export",
    "keep",
    "read",
    "restore",
    "write",
]
