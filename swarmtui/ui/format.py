"""How values read on screen: short ages, replica counts with a convergence mark, coloured states."""

from __future__ import annotations

from datetime import datetime, timezone

from rich.text import Text

from swarmtui.cluster.health import short_duration

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
    return short_duration(((now or datetime.now(timezone.utc)) - when).total_seconds())


def replicas(running: int, desired: int, mode: str = "replicated") -> Text:
    if mode == "global":
        return Text(f"{running} global", style="green" if running else "yellow")
    if running == desired:
        return Text(f"{running}/{desired} ✓", style="green" if desired else "dim")
    return Text(f"{running}/{desired} ⟳", style="bold yellow")


def size(num_bytes: int) -> str:
    """Compact memory sizes for table cells: '512M', '23.5G' (binary units, as docker prints)."""
    import humanize

    if not num_bytes:
        return "0"
    text = humanize.naturalsize(num_bytes, gnu=True)
    return text.replace(".0", "") if text[-1] != "B" else text


def cpus(count: float) -> str:
    """'2', '0.5', '1.25' CPUs."""
    return f"{count:.2f}".rstrip("0").rstrip(".")


NEAR_CAPACITY = 0.9  # reserved share of a node's CPUs or memory that stands out in bold red
BUSY = 0.75  # ... and in yellow


def usage(used: float, total: float, text: str) -> Text:
    """`text` ("1.5/2") coloured by how much of `total` is taken."""
    share = used / total if total else 0.0
    return Text(text, style="bold red" if share >= NEAR_CAPACITY else "yellow" if share >= BUSY else "")
