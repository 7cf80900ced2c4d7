"""How values read on screen: short ages, replica counts with a convergence mark, coloured states."""

from __future__ import annotations

from datetime import datetime, timezone

from rich.text import Text

STATE_STYLES = {
    "ready": "green", "running": "green", "active": "green", "completed": "green",
    "down": "bold red", "failed": "bold red", "rejected": "bold red", "orphaned": "red", "unreachable": "bold red",
    "drain": "yellow", "pause": "yellow", "paused": "yellow", "updating": "cyan", "rollback_started": "magenta",
    "rollback_paused": "magenta", "rollback_completed": "magenta", "disconnected": "red", "unknown": "yellow",
    "preparing": "cyan", "starting": "cyan", "pending": "cyan", "assigned": "cyan", "new": "cyan",
    "shutdown": "dim", "complete": "dim",
}


def styled(value: str) -> Text:
    """Coloured by its first word: "updating 2/4: ..." is cyan like "updating"."""
    first = value.split(" ", 1)[0].rstrip(":").lower()
    return Text(value, style=STATE_STYLES.get(first, ""))


def age(when: datetime | None, now: datetime | None = None) -> str:
    """'4s', '12m', '3h', '2d' — as compact as k9s' AGE column."""
    if when is None:
        return ""
    seconds = max(0, int(((now or datetime.now(timezone.utc)) - when).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def replicas(running: int, desired: int, mode: str = "replicated") -> Text:
    if mode == "global":
        return Text(f"{running} global", style="green" if running else "yellow")
    if running == desired:
        return Text(f"{running}/{desired} ✓", style="green" if desired else "dim")
    return Text(f"{running}/{desired} ⟳", style="bold yellow")

