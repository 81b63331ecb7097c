"""The resource envelope of a round (F11) and its publication to the villages (R19).

The province officer enters the programme and provincial money for a commune
(``origin = province``); the commune planner adds the commune budget and other sources
(``origin = commune``). Each may change only the lines of their own origin. Publishing copies
the lines as they are into ``Envelope.published_lines``: that copy is what every village plan
page of the round shows, so villages plan knowing what money exists before they meet.

One module per job: ``validators`` (pure rules of a line), ``writers`` (the batch writer
``envelope_lines_apply``, the single-line services and publishing); the reads are in
``kehoach.synthesis.selectors`` and who may do what in ``kehoach.synthesis.permissions``
(re-exported here for the callers of before).
"""

from ...permissions import can_edit_line, may_edit_line, origin_for
from ...permissions import can_publish_envelope as can_publish
from ...selectors import effective_counterpart, envelope_use, published_row
from .publish import envelope_publish, envelope_publish_check
from .take_back import take_back_funding
from .validators import (
    AUDIT_FIELDS,
    FIELDS,
    FUNDING_FIELDS,
    PROVINCE_KINDS,
    EnvelopeLineContext,
    clean_envelope_line,
    validate_envelope_line,
)
from .writers import (
    ADD,
    CHANGE,
    REMOVE,
    RESTORE,
    EnvelopeChange,
    EnvelopeResult,
    envelope_line_create,
    envelope_line_delete,
    envelope_line_restore,
    envelope_line_update,
    envelope_lines_apply,
    envelope_lines_check,
    envelope_version,
)

__all__ = [
    "ADD",
    "AUDIT_FIELDS",
    "CHANGE",
    "FIELDS",
    "FUNDING_FIELDS",
    "PROVINCE_KINDS",
    "REMOVE",
    "RESTORE",
    "EnvelopeChange",
    "EnvelopeLineContext",
    "EnvelopeResult",
    "can_edit_line",
    "can_publish",
    "clean_envelope_line",
    "effective_counterpart",
    "envelope_line_create",
    "envelope_line_delete",
    "envelope_line_restore",
    "envelope_line_update",
    "envelope_lines_apply",
    "envelope_lines_check",
    "envelope_publish",
    "envelope_publish_check",
    "envelope_use",
    "envelope_version",
    "may_edit_line",
    "origin_for",
    "published_row",
    "take_back_funding",
    "validate_envelope_line",
]
