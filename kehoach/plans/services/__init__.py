"""Writes to planning rounds and village plans, one module per part of the plan:

- ``rounds``: planning rounds and the village plans they create;
- ``lines``: proposals (F6) and their rules R1, R2, R5, R6 and the proposed source;
- ``checks``: the whole-plan rules (R3, R4, meeting) shown as a checklist and enforced on submit;
- ``workflow``: submit, return, revise, accept a meeting by override;
- ``meeting``: the village meeting (F8) and participation (R9, R10, R11);
- ``info``: village basic information (F1);
- ``findings``: SWOT (F3), problems (F4) and the ranking matrix (F5);
- ``carry_over``: bringing last year's unfunded or deferred proposals forward.
"""
