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
        self._shown = None  # the Text last drawn

    def show(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self.refresh_text()

    def watch_connection(self) -> None:
        self.refresh_text()

    def watch_read_only(self) -> None:
        self.refresh_text()

    def watch_alerts(self) -> None:
        self.refresh_text()

    def on_resize(self) -> None:
        self.refresh_text()

    def refresh_text(self) -> None:
        # One row, always (CSS): no layout pass of the screen for new words (Static.update asks for
        # one by default), and none at all for the same words (each refresh and service switch said them again).
        text = fit(self.groups(), self.content_size.width or 10_000)
        if text != self._shown:
            self._shown = text
            self.update(text, layout=False)

    def groups(self) -> list[tuple[int, list]]:
        """(priority, parts) in the order shown; the lowest priorities go first when the line is too long."""
        style = {"connected": "green", "reconnecting": "bold yellow", "connecting": "yellow"}.get(self.connection, "bold red")
        groups: list[tuple[int, list]] = [(9, [("swarmtui ", "bold"), ("● " + self.connection, style)])]
        if self.read_only:
            groups.append((9, [(" ", ""), ("READ-ONLY", "bold reverse yellow")]))
        if self.alerts:
            groups.append((8, [("  ", ""), (f"⚠ {self.alerts} alert{'s' if self.alerts > 1 else ''} (:alerts)", "bold reverse red")]))
        manager = [("  │ ", "dim"), (Middle(self.manager), "cyan")]
        if self.connection == "connected":
            groups.append((3, manager))  # where we are: less than the counts while all is well
        else:  # the manager that does not answer, then why (the error may be cut at the edge)
            groups.append((7, manager))
            if self.detail:
                groups.append((7, [("  ", ""), (self.detail, "red")]))
        if self.note:
            groups.append((6, [(" · " + self.note, "yellow")]))
        snap = self.snapshot
        if snap is not None:
            down = sum(1 for n in snap.nodes if n.status != "ready")
            running = sum(s.replicas_running for s in snap.services)
            desired = sum(s.replicas_desired for s in snap.services)
            groups += [
                (1, [("  │ swarm ", "dim"), (snap.swarm.id[:12], "")]),
                (5, [("  │ nodes ", "dim"), (f"{len(snap.nodes)}", ""), (f" ({down} down)" if down else "", "bold red")]),
                (4, [("  │ services ", "dim"), (f"{len(snap.services)}", "")]),
                (5, [("  │ tasks ", "dim"), (f"{running}/{desired}", "" if running == desired else "bold yellow")]),
                (2, capacity(snap)),
            ]
        return groups


KEEP = 6  # groups this important are cut short at the right edge rather than left out
SQUEEZED = 32  # a Middle text is shortened to no fewer cells than this before the edge cuts it


class Middle(str):
    """A text that loses its middle, not its end, when the line is too long: a manager's URL or
    socket path is told apart by its start (scheme, host) and its end (the socket's file name)."""


def _squeeze(text: str, over: int) -> str:
    keep = max(SQUEEZED, len(text) - over)
    if keep >= len(text):
        return text
    head = keep // 2
    return f"{text[:head]}…{text[len(text) - (keep - head - 1):]}"


def fit(groups: list[tuple[int, list]], width: int) -> Text:
    """The groups that fit in `width` columns, dropping the least important first; what is left
    (the connection, read-only, alerts, an error, the manager when it does not answer) is cut with …,
    a Middle part in its middle first."""
    kept = list(groups)
    while True:
        text = Text.assemble(*(part for _, parts in kept for part in parts))
        droppable = [group for group in kept[1:] if group[0] < KEEP]
        if text.cell_len <= width or not droppable:
            break
        kept.remove(min(droppable, key=lambda group: group[0]))
    if text.cell_len > width:
        over = text.cell_len - width
        text = Text.assemble(*((_squeeze(part[0], over), *part[1:]) if isinstance(part, tuple) and isinstance(part[0], Middle)
                               else part for _, parts in kept for part in parts))
    text.truncate(width, overflow="ellipsis")
    return text


def capacity(snap: Snapshot) -> list:
    """The swarm's totals: reserved of all CPUs and memory (nodes that are up)."""
    up = [n for n in snap.nodes if n.status == "ready"]
    total = sum((Resources(n.cpus, n.memory_bytes) for n in up), Resources())
    reserved = sum((n.reserved for n in up), Resources())
    return [("  │ reserved ", "dim"), usage(reserved.cpus, total.cpus, f"{cpus(reserved.cpus)}/{cpus(total.cpus)}"),
            (" cpu ", "dim"), usage(reserved.memory_bytes, total.memory_bytes,
                                    f"{size(reserved.memory_bytes)}/{size(total.memory_bytes)}"), (" mem", "dim")]
