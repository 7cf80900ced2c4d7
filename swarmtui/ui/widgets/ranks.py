"""What a table column sorts by: trouble first for states, numbers as numbers, 'spider.10'
after 'spider.9'.  Each table's `*_values` builds one such value per column from its model."""

from __future__ import annotations

import ipaddress
import re
from datetime import datetime
from typing import Any

# ascending = what needs a look first; words not listed come after, by name
TASK_STATES = ("failed", "rejected", "orphaned", "remove", "pending", "new", "allocated", "assigned", "accepted",
               "preparing", "ready", "starting", "running", "complete", "shutdown")
NODE_STATUS = ("down", "disconnected", "unknown", "ready")
AVAILABILITY = ("drain", "pause", "active")
MANAGER = ("unreachable", "leader", "reachable", "")
ROLES = ("manager", "worker")
UPDATE_STATES = ("rollback_paused", "paused", "rollback_started", "updating", "rollback_completed", "completed", "")
STACK_STATES = ("failing", "updating", "converging", "running")


def rank(order: tuple[str, ...], word: str | None) -> tuple[int, str]:
    word = (word or "").lower()
    return (order.index(word) if word in order else len(order), word)


def natural(text: str) -> tuple[Any, ...]:
    """'spider.10' after 'spider.9', '0.10' after '0.9': digit runs compare as numbers."""
    parts = re.split(r"(\d+)", text.lower())
    return tuple(int(p) if i % 2 else p for i, p in enumerate(parts))


def newest_first(when: datetime | None) -> float | None:
    """An age column: ascending shows the youngest first (the smallest age), as its numbers read."""
    return -when.timestamp() if when is not None else None


def address(text: str) -> tuple[int, int] | tuple[int, str]:
    try:
        ip = ipaddress.ip_address(text.split(":")[0] if text.count(":") == 1 else text)
    except ValueError:
        return (9, text)
    return (ip.version, int(ip))


def share(used: float, total: float) -> tuple[float, float]:
    """A reserved/total cell: by how full it is, then by how much."""
    return (used / total if total else 0.0, used)
