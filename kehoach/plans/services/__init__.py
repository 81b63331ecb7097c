"""Writes to planning rounds and village plans, one module per part of the plan:

- ``rounds``: planning rounds and the village plans they create;
- ``lines``: proposals (F6) and their rules R1, R2, R5, R6 and the proposed source;
- ``checks``: the whole-plan rules (every line again, R3, R4, meeting R9/R11) shown as a
  checklist and enforced on submit;
- ``workflow``: submit, return, revise, accept a meeting by override;
- ``guards``: rules other apps register on returning, reopening and editing a village plan
  (the commune plan's freeze, registered by synthesis);
- ``common``: permission, draft check under the plan row's lock, history rows;
- ``meeting``: the village meeting (F8) and participation (R9, R10, R11);
- ``attendance``: the meeting's attendance list (F8);
- ``info``: village basic information (F1);
- ``findings``: SWOT (F3), problems with their solutions (F4) and the ranking matrix (F5);
- ``carry_over``: bringing last year's unfunded or deferred proposals forward, under this
  year's rules.
"""
