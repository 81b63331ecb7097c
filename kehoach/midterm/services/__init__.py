"""Writes to five-year periods and plans (issue 18), one module per part:

- ``rounds``: a commune's five-year period and the village plans (F7) it opens;
- ``lines``: the activities of a plan with their years (the one writer, R1, R5, R6);
- ``workflow``: submit, return, reopen (the yearly plan's table) and the village meeting (F8);
- ``common``: permission, draft check under the plan row's lock, history rows.
"""
