"""What a generation is asked for (``manage.py generate_scale``'s options) and what it made."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from kehoach.core.errors import ApplicationError


@dataclass(frozen=True)
class ScaleOptions:
    """``provinces``: official codes ("44"), empty for all; ``communes``: how many communes of
    each province (``None``: all), ``communes_total``: at most this many in all (taken from
    the provinces in turn). Shares are of the rounds (synthesised ≥ approved ≥ published) and,
    for ``progress``, of the funded works of published plans whose year has begun."""

    provinces: tuple[str, ...] = ()
    communes: int | None = None
    communes_total: int | None = None
    villages_per_commune: int = 19
    lines_per_plan: int = 15
    years: tuple[int, ...] = (2026, 2027)
    synthesised: float = 0.9
    approved: float = 0.7
    published: float = 0.6
    progress: float = 0.5
    seed: int = 1
    communes_per_chunk: int = 20

    def check(self) -> ScaleOptions:
        """The options if they make sense, else an ``ApplicationError`` in Vietnamese."""
        problems = []
        for name in ("synthesised", "approved", "published", "progress"):
            if not 0 <= getattr(self, name) <= 1:
                problems.append(f"--{name} phải từ 0 đến 1 (ví dụ 0.6).")
        if not self.published <= self.approved <= self.synthesised:
            problems.append(
                "Tỷ lệ phải giảm dần: --synthesised ≥ --approved ≥ --published "
                "(chỉ kế hoạch đã tổng hợp mới được phê duyệt, đã phê duyệt mới được công bố)."
            )
        if not 1 <= self.villages_per_commune <= 999:
            problems.append("--villages-per-commune phải từ 1 đến 999.")
        if not 1 <= self.lines_per_plan <= 200:
            problems.append("--lines-per-plan phải từ 1 đến 200.")
        if not self.years or any(not 2000 <= y <= 2100 for y in self.years):
            problems.append("--years: năm kế hoạch từ 2000 đến 2100, ví dụ --years 2026 2027.")
        if len(set(self.years)) != len(self.years):
            problems.append("--years: mỗi năm chỉ một lần.")
        for name in ("communes", "communes_total"):
            value = getattr(self, name)
            if value is not None and value < 1:
                problems.append(f"--{name.replace('_', '-')} phải lớn hơn 0.")
        if problems:
            raise ApplicationError("scale_options", " ".join(problems))
        return self


@dataclass
class ScaleReport:
    """Rows made, by table, and what was left alone."""

    counts: Counter[str] = field(default_factory=Counter)
    provinces: int = 0
    communes: int = 0
    skipped_communes: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    """Time this process spent computing (the database server's time is not in it)."""
