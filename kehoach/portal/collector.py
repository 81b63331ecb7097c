"""Python's cycle collector paused while the portal builds big structures that have no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cycle collector paused for the block, switched back on after it only if it
    was on.

    Decoding a snapshot makes hundreds of thousands of lists and dicts, and a file's rows as
    many again; none is in a cycle (JSON cannot make one, and reference counting frees them as
    always). With the collector running, each of its passes over the older generations walks
    every object held so far — the snapshots of a batch of plans — which cost about a fifth of
    a province's file; paused, the objects still alive are looked at once when it resumes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
