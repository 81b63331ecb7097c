"""Community investment supervision (F17): the one way a work's supervision board, its members
and its visits are recorded.

The rules, each refusal naming its field:

- a work has one board, established on a date (not in the future) by a decision of the commune
  Fatherland Front; the board is dissolved on a date that is not before its last visit;
- a member has a name (kept NFC), a role (one current head at most), stands for the commune
  Front, the People's Inspectorate, the residents of a village or a mass organisation; a
  resident names the village they live in, and every village named is a village of the work's
  commune; the person entering a member confirms that they live in the commune and have no
  conflict of interest with the work; one person is not on the board twice;
- a member who leaves keeps their row with the date they left (the board's composition at
  each visit stays readable); a member entered by mistake can be removed only while the board
  has no visit;
- a visit is recorded only while the board has at least the minimum number of members serving
  on the visit date (five by law; a process profile may say otherwise with
  ``supervision_min_members``, ``catalog.policy``); its date is not in the future, not before the
  board was established and not after it was dissolved; what was checked and what was found
  are required;
- a follow-up is marked done on a date that is not before the visit and not in the future.

Every write locks the work's row (``require_work``), so two edits of one board never interleave,
and edits made from a form that was opened before someone else saved are refused
(``version``; for members, who have no version column, the time the row was last saved).

The package: ``selectors`` (reads), ``board``, ``members``, ``visits`` (the writes), ``common``
(locks, audited fields); the rules themselves are pure validators in
``monitoring/validators/supervision.py`` and ``validators/board_people.py``.
"""

from .board import (
    board_dissolve,
    board_dissolve_check,
    board_establish,
    board_establish_check,
    board_update,
    board_update_check,
)
from .common import BOARD_FIELDS, MEMBER_FIELDS, VISIT_FIELDS
from .members import (
    member_add,
    member_add_check,
    member_leave,
    member_leave_check,
    member_remove,
    member_remove_check,
    member_update,
    member_update_check,
)
from .selectors import (
    MIN_MEMBERS,
    ROLE_ORDER,
    board_for,
    boards_of,
    member_stamp,
    member_version,
    members_in_order,
    min_members,
    open_follow_ups,
    serving,
    work_villages,
)
from .visits import (
    follow_up_mark_done,
    follow_up_mark_done_check,
    visit_record,
    visit_record_check,
    visit_update,
    visit_update_check,
)

__all__ = [
    "BOARD_FIELDS",
    "MEMBER_FIELDS",
    "MIN_MEMBERS",
    "ROLE_ORDER",
    "VISIT_FIELDS",
    "board_dissolve",
    "board_dissolve_check",
    "board_establish",
    "board_establish_check",
    "board_for",
    "board_update",
    "board_update_check",
    "boards_of",
    "follow_up_mark_done",
    "follow_up_mark_done_check",
    "member_add",
    "member_add_check",
    "member_leave",
    "member_leave_check",
    "member_remove",
    "member_remove_check",
    "member_stamp",
    "member_update",
    "member_update_check",
    "member_version",
    "members_in_order",
    "min_members",
    "open_follow_ups",
    "serving",
    "visit_record",
    "visit_record_check",
    "visit_update",
    "visit_update_check",
    "work_villages",
]
