"""The Redis work-queue pane: one row per watched key, the "should I scale?" lines, and actions.

Data comes in through `show(snapshot)` (a QueueSnapshot from QueueMonitor.poll(), which the app
runs in a thread worker) and `set_replicas({service: running})` (from the cluster snapshot). The
pane never reads Redis on the UI thread: push / purge / requeue run in thread workers on the
QueueMonitor it was given, and report back with a notification and an `ActionDone` message (the
app can poll again at once). No docker import here.

Keys (when the pane has focus):
    a        watch a key or glob            x   stop watching the highlighted row's entry
    i        push items (lines or a file)   r   requeue in-flight items of gone replicas
    ctrl+d   purge the highlighted key (asks first, shows the count and the redis-cli line)
"""

from __future__ import annotations

from typing import Callable, Mapping

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from swarmtui.queue import actions
from swarmtui.queue.errors import QueueError
from swarmtui.queue.models import KeyStats, QueueSnapshot
from swarmtui.queue.monitor import QueueMonitor
from swarmtui.queue.scaling import advice_line, advise
from swarmtui.queue.spark import fmt_count, fmt_duration, fmt_rate, sparkline
from swarmtui.ui.actions import Gated, bindings
from swarmtui.ui.screens.confirm import ConfirmScreen
from swarmtui.ui.screens.queue_push import PushRequest, PushScreen, WatchScreen
from swarmtui.ui.widgets.lifecycle import while_composed
from swarmtui.ui.widgets.table import LiveTable, plain

SPARK_WIDTH = 20


class QueueTable(LiveTable):
    SORT_NAME = "queue"
    COLUMNS = (
        ("key", "Key"), ("type", "Type"), ("depth", "Depth"), ("in_flight", "In flight"),
        ("rate_in", "In"), ("rate_out", "Out"), ("eta", "Drains in"), ("spark", "Last minutes"),
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.order: dict[str, int] = {}

    def sort_key(self, cells):
        return self.order.get(plain(cells[0]), len(self.order))


def row_values(k: KeyStats) -> tuple:
    """What each column sorts by (see row_cells): counts and rates as numbers, an unknown rate or
    a queue that never drains last."""
    return (k.key, k.type, k.depth, k.in_flight, k.rate_in, k.rate_out, k.eta, k.history[-1] if k.history else None)


def _rate(k: KeyStats, value: float | None) -> Text:
    text = fmt_rate(value)
    if k.method == "net" and value is not None:
        text = "~" + text  # depth change only: simultaneous pushes and pops cancel out
    return Text(text, justify="right")


def row_cells(k: KeyStats) -> tuple:
    """What a row shows, as cells (also used by tests and the CLI-minded reader)."""
    measuring = k.rate_in is None and k.depth > 0
    eta = "…" if measuring else fmt_duration(k.eta)
    if k.eta is None and (k.rate_in or 0) > (k.rate_out or 0):
        eta = "growing"  # a results list, or work arriving faster than it is done: say which way it goes
    eta_style = "green" if k.eta is not None and k.depth else ("yellow" if eta == "never" else "")
    in_flight = fmt_count(k.in_flight)
    if k.orphaned:
        in_flight += f" ({k.orphaned} orphaned)"
    return (
        k.key,
        k.type,
        Text(fmt_count(k.depth), justify="right"),
        Text(in_flight, justify="right", style="bold red" if k.orphaned else ""),
        _rate(k, k.rate_in),
        _rate(k, k.rate_out),
        Text(eta, style=eta_style, justify="right"),
        Text(sparkline(k.history, SPARK_WIDTH), style="cyan"),
    )


def update_text(static: Static, text: str) -> None:
    """Static.update only when the text changed: each update asks for a layout pass of the whole
    screen, and the queue is polled every second (twice a second, idle, for the same words)."""
    if static.content != text:
        static.update(text)


class QueuePane(Gated, Vertical, can_focus=False):
    ALLOW_MAXIMIZE = True  # `z` zooms the whole pane, not just its inner table
    DEFAULT_CSS = """
    QueuePane { height: 1fr; border: round $primary-darken-2; }
    QueuePane:focus-within { border: round $accent; }
    QueuePane > #queue-status { height: 1; padding: 0 1; color: $text-muted; }
    QueuePane > #queue-status.error { color: $error; text-style: bold; }
    QueuePane > QueueTable { height: 1fr; }
    QueuePane > #queue-advice { height: auto; max-height: 6; padding: 0 1; }
    """
    BINDINGS = bindings("queue")
    ACTION_SCOPE = "queue"

    class ActionDone(Message):
        """An action changed the queue (or the watch list): a good moment to poll again."""

        def __init__(self, text: str, ok: bool = True) -> None:
            super().__init__()
            self.text, self.ok = text, ok

    def __init__(self, monitor: QueueMonitor | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.monitor = monitor
        self.snapshot: QueueSnapshot | None = None
        self.replicas: dict[str, int] = {}
        self.border_title = "queue"

    def compose(self) -> ComposeResult:
        yield Static("Redis: waiting for the first refresh…", id="queue-status", markup=False)
        yield QueueTable(id="queue-table")
        yield Static("", id="queue-advice", markup=False)

    # ---- data in ----------------------------------------------------------------------------
    @while_composed
    def show(self, snapshot: QueueSnapshot) -> None:
        """Show a fresh snapshot; cheap when little changed (cells are updated in place)."""
        self.snapshot = snapshot
        table = self.query_one(QueueTable)
        table.order = {k.key: i for i, k in enumerate(snapshot.keys)}
        table.sync({k.key: row_cells(k) for k in snapshot.keys}, {k.key: row_values(k) for k in snapshot.keys})
        status = self.query_one("#queue-status", Static)
        status.set_class(bool(snapshot.error), "error")
        update_text(status, self.status_line(snapshot))
        self._show_advice()

    @while_composed
    def set_replicas(self, running: Mapping[str, int]) -> None:
        """Running replica count per service name, for the scaling lines."""
        self.replicas = dict(running)
        if self.snapshot is not None:
            self._show_advice()

    @staticmethod
    def status_line(s: QueueSnapshot) -> str:
        if s.error:
            stale = " — showing the last values" if s.keys else ""
            return f"⚠ {s.error}; retrying{stale}"
        net = any(k.method == "net" and k.rate_in is not None for k in s.keys)
        legend = " · ~ = net rate from depth changes" if net else ""
        return f"Redis {s.server} · {len(s.keys)} keys · read in {s.elapsed_ms:.0f} ms{legend}"

    def advice_lines(self) -> list[str]:
        lines = []
        for k in self.snapshot.keys if self.snapshot else ():
            if k.orphaned:
                lines.append(f"{k.key}: {k.orphaned} in-flight item(s) belong to replicas that are gone — press r to requeue")
            if k.service:
                running = self.replicas.get(k.service)
                if running is None:
                    lines.append(f"{k.service}: replica count not known yet")
                else:
                    backlog = k.backlog if k.backlog is not None else k.depth
                    lines.append(advice_line(advise(k.service, backlog, k.rate_in, k.rate_out, running)))
        return lines

    def _show_advice(self) -> None:
        update_text(self.query_one("#queue-advice", Static), "\n".join(self.advice_lines()))

    @property
    def highlighted(self) -> KeyStats | None:
        key = self.query_one(QueueTable).highlighted_key
        return self.snapshot.get(key) if self.snapshot and key else None

    # ---- actions ------------------------------------------------------------------------------
    def _need_monitor(self) -> bool:
        if self.monitor is None:
            self.notify("No Redis configured for the queue pane (--redis or REDIS_URL)", severity="warning")
            return False
        return True

    def action_watch(self) -> None:
        if self._need_monitor():
            self.app.push_screen(WatchScreen(), self._watch_chosen)

    def _watch_chosen(self, pattern: str | None) -> None:
        if pattern and self.monitor.watch(pattern):
            self.post_message(self.ActionDone(f"watching {pattern}"))
            self.notify(f"Watching {pattern}")

    def action_unwatch(self) -> None:
        row = self.highlighted
        if row is None or not self._need_monitor():
            return
        if self.monitor.unwatch(row.pattern):
            gone = [k.key for k in self.snapshot.keys if k.pattern == row.pattern]
            kept = [k for k in self.snapshot.keys if k.key not in gone]
            self.query_one(QueueTable).sync({k.key: row_cells(k) for k in kept}, {k.key: row_values(k) for k in kept})
            self.snapshot = QueueSnapshot(
                self.snapshot.taken_at, tuple(k for k in self.snapshot.keys if k.key not in gone),
                self.snapshot.error, self.snapshot.server, self.monitor.patterns, self.snapshot.elapsed_ms,
            )
            self._show_advice()
            self.notify(f"Stopped watching {row.pattern}" + (f" ({len(gone)} keys)" if len(gone) > 1 else ""))
            self.post_message(self.ActionDone(f"stopped watching {row.pattern}"))

    def action_push(self) -> None:
        if self._need_monitor():
            row = self.highlighted
            self.app.push_screen(PushScreen(row.key if row else ""), self._push_chosen)

    def _push_chosen(self, request: PushRequest | None) -> None:
        if request is not None:
            self._change("queue.push", lambda: self._push(request))

    def _push(self, request: PushRequest) -> str:
        items = actions.items_from_file(request.path) if request.path else actions.read_items(request.lines)
        if not items:
            raise ValueError("Nothing to push (no non-blank lines)")
        result = self.monitor.push(request.key, items)
        return f"Pushed {result.pushed} item(s) to {result.key} (depth now {result.depth})"

    def action_purge(self) -> None:
        row = self.highlighted
        if row is None or not self._need_monitor():
            return
        if row.type == "none":
            self.notify(f"{row.key} does not exist; nothing to purge")
            return
        body = (
            f"{row.key} is a {row.type} holding {fmt_count(row.depth)} item(s) at the last refresh. "
            f"Deleting it cannot be undone.\n\nredis-cli equivalent:\n  $ {self.monitor.cli('DEL', row.key)}"
        )
        screen = ConfirmScreen(f"Purge {row.key}?", body, yes_label=f"Purge {fmt_count(row.depth)}")
        self.app.push_screen(screen, lambda yes: self._change("queue.purge", lambda: self._purge(row.key)) if yes else None)

    def _purge(self, key: str) -> str:
        return f"Purged {key}: {self.monitor.purge(key)} item(s) deleted"

    def action_requeue(self) -> None:
        row = self.highlighted
        if row is not None and self._need_monitor():
            self._change("queue.requeue", lambda: self._requeue(row.key))

    def _requeue(self, queue: str) -> str:
        result = self.monitor.requeue(queue)
        alive = f"; {result.alive} live replica(s) left alone" if result.alive else ""
        if result.moved or result.lists:
            return f"Requeued {result.moved} item(s) from {len(result.lists)} gone replica(s) onto {queue}{alive}"
        return f"No orphaned in-flight items for {queue}{alive}"

    def _change(self, action_id: str, do: Callable[[], str]) -> None:
        """Every change of Redis from this pane passes here: refused in read-only mode, however reached."""
        if self.gate().check(action_id):
            self._act(do)

    @work(thread=True, group="queue-actions", exit_on_error=False)
    def _act(self, do: Callable[[], str]) -> None:
        """Run one blocking action off the UI thread and report its outcome."""
        try:
            self._report(do())
        except OSError as exc:  # a push file that cannot be read
            self._report(f"Cannot read {exc.filename}: {exc.strerror}", ok=False)
        except (QueueError, ValueError) as exc:
            self._report(str(exc), ok=False)

    def _report(self, text: str, ok: bool = True) -> None:
        """From a worker thread: one notification and one message (both thread-safe posts)."""
        self.app.call_from_thread(self.notify, text, severity="information" if ok else "error")
        self.post_message(self.ActionDone(text, ok))
