"""The garbage collector's thresholds for the TUI process (set when the app mounts).

A log line lives ~0.1-0.3 s between the stream's reader and the logs pane (parsed, batched, merged
per frame).  With Python's default thresholds (a young collection every 700 new objects, the middle
one every 10 of those) every line of a fast stream outlived two collections and was promoted to the
oldest generation, and a full collection (~180 ms of CPU on this machine, every thread held, the
10,000-task snapshot and the app's widgets walked too) came every ~2 s: the key-latency tail while
logs stream at full speed.  With a young collection every 50,000 new objects, lines die young
(freed by their reference count, never walked).  Counted in tests/ui/test_logs_pane.py; the key
figures are in docs/performance.md (bench/logs_replay.py).

Full collections still come, rarely (one per 30 s window at full log speed), and walked the whole
heap: modules, stylesheets, the widget tree, ~300-350 ms every thread held.  Once the first snapshot
is on screen, what the process holds then is collected once and frozen out of every later collection
(`settle`): objects still die by their reference count, only cycles among them would stay.
"""

from __future__ import annotations

import gc

THRESHOLDS = (50_000, 20, 10)


def tune() -> None:
    gc.set_threshold(*THRESHOLDS)


def settle() -> None:
    """The start-up heap out of every later collection (call once, when the first snapshot is shown)."""
    gc.collect()
    gc.freeze()
