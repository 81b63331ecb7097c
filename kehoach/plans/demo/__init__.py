"""Demo village plans (kế hoạch thôn mẫu) for the demo communes' planning round.

``demo_village_plans`` fills every village plan of a round that has no proposal yet with
believable content — basic information (F1), SWOT (F3), problems (F4), proposals (F6), the
ranking matrix (F5) and the village meeting (F8) — and submits it to the commune. Every write
goes through the services of ``kehoach.plans.services``, so every rule is checked and the
history is written exactly as if a planner had typed the paper forms in.

Content: rural content for villages (thôn) of a lowland, coastal commune of Quảng Trị (rice,
livestock, aquaculture on sand, floods of the Ô Lâu river, inter-village roads, canals,
kindergartens, clean water, cultural houses, vocational training, women's livelihoods);
urban content (drainage, lighting, alleys, waste, security cameras) for residential groups
(tổ dân phố). ``VILLAGES`` chooses the activities of the known demo villages and the stage
their plan is left in; any other village gets a deterministic selection.

Deterministic: the numbers come from ``random.Random`` seeded with the village code, and a
work shared by two villages (``Activity.shared_by``) is sized from its own key, so that both
villages propose it with the same wording, quantity and cost — the commune merges them.

Idempotent: a plan that already has a proposal (even a deleted one) or is no longer a draft
is left as it is. Parts a planner already entered in an otherwise empty plan (basic
information, a sector's SWOT, problems, ranking, meeting) are kept, not overwritten.

Only for demo data (``KEHOACH_DEMO``); the texts are data in Vietnamese, not interface text.
"""

from __future__ import annotations

from .fill import demo_planner_for, demo_village_plans

__all__ = ["demo_planner_for", "demo_village_plans"]
