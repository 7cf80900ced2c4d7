"""Waiting in Pilot tests: on a condition, with a generous deadline (they run under load), never a sleep."""

from __future__ import annotations

import time


async def until(pilot, predicate, timeout: float = 60.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
