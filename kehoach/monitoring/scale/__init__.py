"""Synthetic planning data at any scale (issue 16): ``manage.py generate_scale``.

- ``options``: ``ScaleOptions`` (what to make) and ``ScaleReport`` (what was made);
- ``content``: village names by region, F1 and F8 figures, the proposals sized from the demo's
  activities — Vietnamese data, deterministic by seed;
- ``build``: one chunk of communes built in memory and written table by table in bulk;
- ``generate``: the checks, then province by province, one transaction each;
- ``guard``: the generator's own account that marks its rounds, and the refusal of real data;
- ``hashing``: a digest of the generated content, to compare two runs.

See docs/scale.md.
"""

from .generate import generate
from .guard import GENERATOR_USERNAME, generator_user, refuse_real_data
from .hashing import content_hash
from .options import ScaleOptions, ScaleReport

__all__ = [
    "GENERATOR_USERNAME",
    "ScaleOptions",
    "ScaleReport",
    "content_hash",
    "generate",
    "generator_user",
    "refuse_real_data",
]
