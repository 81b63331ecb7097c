"""Fixtures every test gets."""

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True)
def _vietnamese_by_default() -> Iterator[None]:
    """Each test starts in Vietnamese, the default language, whatever an earlier test switched
    to (Django keeps the active language per thread between test-client requests)."""
    from django.utils import translation

    with translation.override("vi"):
        yield


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    """Each test starts with an empty cache (the roll-up's kept tables, D67): an entry another
    test left under the same key would be shown instead of this test's data."""
    from django.core.cache import cache

    cache.clear()
