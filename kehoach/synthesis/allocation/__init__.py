"""The allocation engine: which commune plan lines the resource envelope funds, and from where.

Terms
-----
The commune's resource envelope (khung nguồn lực, F11) is made of **pots**: one envelope line
each, i.e. one funding source, possibly bound to one sector and/or one kind of spending
(investment – đầu tư phát triển, or recurrent – sự nghiệp), with the capacity still available.
Each commune plan line is a **candidate** that needs an amount of external support (its cost
minus the community's contribution). All money is ``Decimal`` in million VND.

A line is funded **in full or not at all**: either the pots it draws from add up exactly to its
need, or it draws nothing. A line may draw from several pots. A line that needs nothing from
outside (the community carries the whole cost) is always "funded", with no draws.

Which pots a line may draw from (:func:`eligibility`)
-----------------------------------------------------
A pot suits a line when, checked in this order (the first failure is the reason shown):

1. the caller has not ruled it out for this line (area, content or validity rules checked
   outside this module, passed in ``Candidate.ineligible`` with their reason text);
2. the pot is for any sector, or for the line's sector;
3. the pot is for any kind of spending, or for the line's kind;
4. R17 counterpart: the community contribution is at least the pot's counterpart share of the
   line's total cost (``contribution >= counterpart_pct / 100 × total_cost``).

Drawing order
-------------
Lines are taken in the **processing order**: village priority first (priority 1, 2, 3; lines
that are not a village priority come last), then the commune rank, then the line key.
For one line, the suitable pots are tried in this order: pots of the source the village asked
for first, then pots bound to a sector before pots for any sector, then the pot's own ``order``
(the caller encodes firmness and the like), then the pot key.

Greedy procedure (:func:`allocate_greedy`, the default, R18)
------------------------------------------------------------
Each line in processing order takes what it needs from its suitable pots, in drawing order,
if what is left in them is enough; otherwise it is not funded and the next line is tried, so a
lower-priority line may still be funded from what is left. Nothing is ever taken back.

Optimiser (:func:`allocate_optimal`)
------------------------------------
Chooses the set of funded lines that makes the **total weighted support** as large as
possible: the sum of ``weight × need`` over the funded lines (:func:`objective`), where the
weight expresses priority. It can fund lines greedy cannot, for instance by paying a road that
fits two pots from the commune budget so that the programme pot stays free for a road that
only the programme may pay. The choice is exact (a mixed-integer programme solved by HiGHS
with zero optimality gap, amounts counted in thousand đồng, 0.001 million VND, so inputs may
have at most three decimals).

When several sets reach the same total, the engine prefers lines earlier in the processing
order: a line left out takes the place of the latest funded line with exactly the same
``weight × need`` whenever the pots allow the exchange (checked exactly, lines taken in
processing order). The total never changes, and two interchangeable lines (same need, weight
and suitable pots) competing for one place always go to the earlier one. Ties this rule does
not reach (a set of lines against another set of the same total) stay as the solver found them;
the solver is deterministic and the model is built from the sorted input, so the result is the
same on every run and for any order of the input. (Putting the tie-break into the solver's
objective, or a second lexicographic pass, was tried and rejected: with round amounts there are
many equally good sets, and settling the tie inside the solver took many times as long as
finding the best total. No benchmark keeps that comparison yet; timings of the allocation
belong in ``make bench``, not here.)

Once the set is chosen, the draws are computed exactly in whole thousands of đồng, line by line
in processing order, each taking its pots in drawing order and, where a pot is full, moving an
earlier line's draw to another pot it may use (augmenting paths; the solver's floating-point
figures are never used as amounts). If, through a numerical accident, the chosen set cannot be
routed exactly, the chosen line with the smallest ``weight × need`` is dropped and the routing
tried again; any line that then fits in what is left is added back.

Reasons
-------
Every outcome carries a :class:`Reason`: a stable ``code``, raw ``params`` (JSON-serialisable:
strings, integers, amounts as decimal strings, and lists/dicts of these) and the ``text`` in the
active language, rebuilt at any time with :func:`render`. Codes:

* ``funded`` — the draws, pot by pot;
* ``no_need`` — nothing is needed from outside;
* ``no_envelope`` — the envelope has no pots at all;
* ``no_pot`` — no pot suits the line: the first three unsuitable pots (in drawing order) with
  the reason each one does not suit, then "…";
* ``short`` — suitable pots exist but what is left in them (after the lines funded in this run;
  for the optimiser, after all its draws) is less than the need; when no pot of the source the
  village asked for suits the line, the reason says why each of them does not.

Message ids (English; Vietnamese in locale/vi/LC_MESSAGES/django.po):

    funded:       "Funded: %(draws)s."  with draws joined by "; " from
                  "%(pot)s %(amount)s million"
    no_need:      "No external support is needed: the community carries the whole cost."
    no_envelope:  "The resource envelope has no funding source."
    no_pot:       "No funding source in the envelope fits this line: %(why)s."  with why
                  joined by "; " from "%(pot)s: %(reason)s"
    short:        "Over the %(pot)s envelope: %(left)s million left, %(need)s million needed."
                  "Over the envelopes of the suitable sources (%(pots)s): %(left)s million
                  left in all, %(need)s million needed."  (one msgid, split here)
    eligibility:  "only for the sector %(sector)s", "only for %(kind)s spending" with kind
                  pgettext("spending kind", "investment" | "recurrent"), and "needs a
                  community contribution of at least %(pct)s%% of the cost (%(min)s million);
                  the line has %(has)s million"  (one msgid, split here)
"""

from .greedy import allocate_greedy
from .messages import eligibility, objective, render
from .model import INVESTMENT, RECURRENT, Candidate, Outcome, Pot, Reason
from .optimal import allocate_optimal

__all__ = [
    "INVESTMENT",
    "RECURRENT",
    "Candidate",
    "Outcome",
    "Pot",
    "Reason",
    "allocate_greedy",
    "allocate_optimal",
    "eligibility",
    "objective",
    "render",
]
