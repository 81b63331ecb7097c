"""The printed documents of a plan (style.md §10: generators with formatters).

- ``commune.CommunePlanDocument``: the commune plan document (domain.md §7.1) from an approved
  version's snapshot, or from the plan as it is now for a draft;
- ``village.FeedbackSheet``: the feedback notice of a village (F13);
- ``village.VillagePoster``: the A0 poster of a village plan (domain.md §7.2).

Generators read through selectors and services and build a ``model.Document`` (parts, blocks,
tables holding values and how each column writes them) or a sheet's context; ``pdf`` renders
with WeasyPrint from the templates in ``exchange/templates/exchange/documents/``, ``word`` with
python-docx. ``situation`` and ``implementation`` hold the parts read from the village plans and
from monitoring; ``texts`` the wording a process profile may replace.
"""
