"""The status line: which manager, what the swarm holds, whether we are connected."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from swarmtui.cluster.models import Resources, Snapshot
from swarmtui.ui.format import cpus, size, usage


class StatusLine(Static):
    connection: reactive[str] = reactive("connecting")
    read_only: reactive[bool] = reactive(False)
    alerts: reactive[int] = reactive(0)  # incidents going on (swarmtui/alerts)

    def __init__(self, manager: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.manager = manager
        self.snapshot: Snapshot | None = None
        self.detail = ""
        self.note = ""  # what changed about where we are connected ("lab-manager-1 unreachable — now through ...")

    def show(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.refresh_text()

    def watch_connection(self) -> None:
        self.refresh_text()

    def watch_read_only(self) -> None:
        self.refresh_text()

    def watch_alerts(self) -> None:
        self.refresh_text()

    def refresh_text(self) -> None:
        style = {"connected": "green", "reconnecting": "bold yellow", "connecting": "yellow"}.get(self.connection, "bold red")
        parts = [("swarmtui ", "bold"), ("● " + self.connection, style)]
        if self.read_only:
            parts += [(" ", ""), ("READ-ONLY", "bold reverse yellow")]
        if self.detail and self.connection != "connected":
            parts += [(" " + self.detail, "red")]
        if self.alerts:
            parts += [("  ", ""), (f"⚠ {self.alerts} alert{'s' if self.alerts > 1 else ''} (:alerts)", "bold reverse red")]
        parts += [("  │ ", "dim"), (self.manager, "cyan")]
        if self.note:
            parts += [(" · " + self.note, "yellow")]
        snap = self.snapshot
        if snap is not None:
            down = sum(1 for n in snap.nodes if n.status != "ready")
            running = sum(s.replicas_running for s in snap.services)
            desired = sum(s.replicas_desired for s in snap.services)
            parts += [
                ("  │ swarm ", "dim"), (snap.swarm.id[:12], ""),
                ("  │ nodes ", "dim"), (f"{len(snap.nodes)}", ""), (f" ({down} down)" if down else "", "bold red"),
                ("  │ services ", "dim"), (f"{len(snap.services)}", ""),
                ("  │ tasks ", "dim"), (f"{running}/{desired}", "" if running == desired else "bold yellow"),
                *capacity(snap),
            ]
        self.update(Text.assemble(*parts))


def capacity(snap: Snapshot) -> list:
    """The swarm's totals: reserved of all CPUs and memory (nodes that are up)."""
    up = [n for n in snap.nodes if n.status == "ready"]
    total = sum((Resources(n.cpus, n.memory_bytes) for n in up), Resources())
    reserved = sum((n.reserved for n in up), Resources())
    return [("  │ reserved ", "dim"), usage(reserved.cpus, total.cpus, f"{cpus(reserved.cpus)}/{cpus(total.cpus)}"),
            (" cpu ", "dim"), usage(reserved.memory_bytes, total.memory_bytes,
                                    f"{size(reserved.memory_bytes)}/{size(total.memory_bytes)}"), (" mem", "dim")]
