"""Fixtures the workbook page tests share (``test_views``, ``test_mapping``)."""

from __future__ import annotations

from typing import Any

import pytest

from .helpers import web_setup


@pytest.fixture
def setup(db: None) -> dict[str, Any]:
    """A village plan with two lines, its commune's planner and a client signed in as them.
    A module with a fixture of its own by this name (``test_f6``, ``test_marking``) uses its
    own."""
    return web_setup()
