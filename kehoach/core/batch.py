"""Work on many objects at once: the cyclic garbage collector paused while it runs.

Reading and checking a 20.000-line workbook allocates millions of small objects (cells,
values, problems); every 700 allocations Python's collector walks the young objects, and the
older generations again and again — about a quarter of the check's time, for nothing: what the
check builds is freed by reference counting or lives on until the end. ``collector_paused``
turns the collector off for the duration and back on (with one collection) afterwards, in
every case. Memory stays bounded by the upload limits (``exchange.reading.Limits``): only the
few objects that form reference cycles wait for the collection at the end.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Also a decorator (``@collector_paused()``). Requests run in threads: the collector is
    process-wide, so it is paused by the first holder and resumed by the last one."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            resume = _holders == 0 and _was_enabled
            if resume:
                gc.enable()
        if resume:
            gc.collect(1)
