"""SwarmApp: the panes, the keys, and thin workers around the cluster layer.

Data flows one way: a thread worker reads a Snapshot through SwarmClient and
posts it; the handler narrates what changed into the timeline and syncs each
table in place.  At most one refresh is in flight; a request that arrives
meanwhile marks the app dirty and runs once the current refresh lands.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path
from functools import partial
from typing import Iterable

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.containers import Container
from textual import events
from textual.widget import Widget
from textual.widgets import DataTable, Input

from swarmtui.cluster import failover, health, stacks
from swarmtui.cluster.errors import ClusterError
from swarmtui.cluster.pool import ClientPool
from swarmtui.cluster.models import Snapshot
from swarmtui.cluster.narrate import Narrator
from swarmtui.config import Settings
from swarmtui.queue.models import QUEUE_LABEL
from swarmtui.words import plural
from swarmtui.ui import collector
from swarmtui.ui.alerting import AlertsMixin
from swarmtui.ui.actions import (ACTIONS, BY_ID, COMMANDS, PANE_SCOPES, Action, Gate, Gated, bindings, check_keymap,
                                 key_display)
from swarmtui.ui.format import styled
from swarmtui.ui.layouts import DEFAULT as DEFAULT_LAYOUT, LAYOUTS, next_layout
from swarmtui.ui.messages import ClusterFailed, FailoverResult, QueuePolled, SnapshotReady, SwarmChanged
from swarmtui.ui.context_switch import ContextSwitching
from swarmtui.ui.diagnose import DiagnoseActions
from swarmtui.ui.operations import SwarmOperations
from swarmtui.ui.remembering import Remembering
from swarmtui.ui.stack_operations import StackOperations
from swarmtui.ui.usage import UsageMixin
from swarmtui.ui.screens.help import HelpScreen, help_sections
from swarmtui.ui.screens.main import MainScreen
from swarmtui.ui.sources import LogSource, Sources
from swarmtui.ui.sources import live as live_sources
from swarmtui.ui.log_scope import LogScope
from swarmtui.ui.widgets.footer import KeyFooter
from swarmtui.ui.widgets.logs import LogsPane
from swarmtui.ui.widgets.nodes import NodesTable
from swarmtui.ui.widgets.prompt import Prompt
from swarmtui.ui.widgets.queue import QueuePane
from swarmtui.ui.widgets.services import ServicesTable
from swarmtui.ui.widgets.status import StatusLine
from swarmtui.ui.widgets.table import LiveTable
from swarmtui.ui.widgets.tasks import TasksPane, TasksTable
from swarmtui.ui.widgets.timeline import Timeline

FAILOVER_RETRY_SECONDS = 1.0  # not the safety refresh's 10 s: the swarm is out of sight until then
SAFETY_REFRESH_SECONDS = 10.0  # the feed drives refreshes; this catches anything it missed and ages the SINCE column
QUEUE_POLL_SECONDS = 1.0
LOGS_SWITCH_DELAY = 0.3  # seconds the cursor must rest on a service before its logs stream opens
PANES = ("nodes", "services", "tasks", "logs", "queue", "timeline")
COMMAND_HINT = " ".join(f":{a.commands[0]}" for a in ACTIONS if a.commands)


class ServicesPane(ServicesTable):
    BINDINGS = bindings("services")


class NodesPane(NodesTable):
    BINDINGS = bindings("nodes")


class SwarmApp(ContextSwitching, AlertsMixin, SwarmOperations, StackOperations, DiagnoseActions, Remembering, UsageMixin, Gated, App):
    TITLE = "swarmtui"
    CSS_PATH = Path(__file__).parent / "styles.tcss"  # absolute: subclasses elsewhere find it too
    BINDINGS = bindings("app")
    ACTION_SCOPE = "app"

    def __init__(self, settings: Settings, sources: Sources | None = None, read_only: bool | None = None) -> None:
        keymap = check_keymap(settings.keys)  # a bad [keys] entry stops here, named, before any screen
        super().__init__()
        self.start_remembering(settings)  # a bad theme, layout or [sort] order stops here too, named
        self.layout = settings.layout or DEFAULT_LAYOUT
        self.settings = settings
        self.read_only = settings.read_only if read_only is None else read_only
        self.read_only_gate = Gate(self.read_only, notify=lambda text: self.notify(text, severity="warning"))
        self.user_keymap = keymap
        self.set_keymap(keymap)
        self._filter_target: LiveTable | None = None  # the table the filter box filters
        self._filter_pane: Widget | None = None  # the pane whose title says how many rows match
        self.endpoint = settings.endpoint  # where every client, stream and worker goes; moved by failover
        self._live = sources is None  # live sources can be rebuilt for another endpoint; given ones are kept
        self._generation = 0  # bumped when the endpoint moves: answers from the old one are dropped
        self._failing_over = False
        self._switched_to: str | None = None  # :ctx: the first snapshot of the new context is told
        self._stale_titles: dict = {}
        self.sources = sources or live_sources(settings)
        self._pool = ClientPool(self.sources.swarm)  # clients lent to worker threads, connections reused
        self.feed = self._new_feed()  # started on mount
        self.snapshot: Snapshot | None = None
        self.tasks_scope: str | None = None  # service or node ID whose tasks are shown
        self._refreshing = False
        self._dirty = False
        self._narrate = Narrator()
        self.queue_monitor = self.sources.queue()
        self._polling_queue = False
        self._follow_timer = None
        self._shown_pane = "services"  # the pane last switched to: the one a narrow screen shows
        self._main_widgets: dict = {}
        self.logs_stack: str | None = None  # the logs pane follows this stack's services (`l` in :stacks)

    # ---- layout ---------------------------------------------------------------
    def get_default_screen(self) -> MainScreen:
        return MainScreen(id="_default")

    def compose(self) -> ComposeResult:
        yield StatusLine(self.endpoint.label, id="status")
        with Container(id="panes"):  # class "pane": styles.tcss says why
            yield ServicesPane(id="services", classes="pane")
            yield NodesPane(id="nodes", classes="pane")
            yield TasksPane(id="tasks", classes="pane")  # the grid places them in this order (styles.tcss)
            yield QueuePane(self.queue_monitor, id="queue", classes="pane")
            yield Timeline(id="timeline", classes="pane")
            yield LogsPane(max_lines=self.settings.log_buffer_lines, stream_factory=self._open_log_stream, id="logs",
                           classes="pane")
        yield Prompt(placeholder="filter the focused table (esc clears)", id="filter")
        yield Prompt(placeholder=COMMAND_HINT, id="command")
        yield KeyFooter()

    def _open_log_stream(self, scope: LogScope, tail, since, on_batch) -> LogSource:
        """The logs pane's stream factory: connecting happens in a thread, never on the UI."""
        filters = stacks.stack_filter(self.logs_stack) if scope.kind == "all" and self.logs_stack else None
        stream = self.sources.log_stream(scope, tail, on_batch, filters, since)

        def start() -> None:
            try:
                stream.start()
            except Exception as exc:  # noqa: BLE001 - shown, never raised into the UI
                with contextlib.suppress(RuntimeError):  # the app has exited meanwhile: nobody to tell
                    self.call_from_thread(self.notify, f"logs: {exc}", severity="error")

        threading.Thread(target=start, name="logs-start", daemon=True).start()
        return stream

    def on_mount(self) -> None:
        collector.tune()
        for cls in (StatusLine, ServicesPane, NodesPane, TasksPane, TasksTable, Timeline, LogsPane, QueuePane):
            self.main(cls)
        self.main(StatusLine).read_only = self.read_only
        self._apply_layout()
        self.main(QueuePane).border_title = "5 Queue"
        self.main(Timeline).border_title = "6 Timeline"
        self.apply_remembered()
        self.action_focus_pane("services")
        self.feed.start()
        self.request_refresh()
        self.set_interval(SAFETY_REFRESH_SECONDS, self.request_refresh)
        self.poll_queue()
        self.set_interval(QUEUE_POLL_SECONDS, self.poll_queue)
        self.start_watcher()
        self.start_usage()

    def on_resize(self, event: events.Resize) -> None:
        # event.size: this runs before App._on_resize, so self.size is still the old size;
        # the main screen, not self.screen: a dialog may be on top
        if self.screen_stack:
            self.screen_stack[0].set_class(event.size.width < 100, "-narrow")
            if event.size.width < 100:
                self._mark_shown()

    def _mark_shown(self) -> None:
        """The pane a narrow screen shows (class -current). Only set while the screen is narrow: a class
        change restyles both panes, as much again as the focus change itself (~12 ms at 500 nodes)."""
        for other in PANES:
            self._pane(other).set_class(other == self._shown_pane, "-current")

    def _apply_layout(self, name: str | None = None) -> None:
        """Show layout `name` (default: the current one) and remember it in config.toml."""
        if name is not None and name != self.layout:
            self.layout = name
            self.remember(None, "layout", name)
        panes = self.main("#panes")
        for name in LAYOUTS:
            panes.set_class(name == self.layout, f"-layout-{name}")
        for name in PANES:
            self._pane(name).set_class(name in LAYOUTS[self.layout], "-folded")

    def action_next_layout(self) -> None:
        self._apply_layout(next_layout(self.layout))
        if self._pane(self._current_pane()).has_class("-folded"):
            self.action_focus_pane("services")

    def main(self, selector, expect_type=None):
        """A widget of the main screen, even while a dialog is on top (App.query_one looks at the
        top screen) or while the app shuts down and late worker messages still arrive."""
        widget = self._main_widgets.get((selector, expect_type))
        if widget is None:
            widget = self._main_widgets[(selector, expect_type)] = self.screen_stack[0].query_one(selector, expect_type)
        return widget

    @property
    def closing(self) -> bool:
        """True once the app shuts down: late worker messages are then dropped, not shown. (Textual
        stops `is_running` first, then tears the widgets down while messages are still handled.)"""
        return (self.return_code is not None or not self.is_running or not self.screen_stack
                or not self.main(StatusLine).is_mounted)

    # ---- refresh ----------------------------------------------------------------
    def _client(self):
        """A SwarmClient for this worker thread's call: `with self._client() as client:`."""
        return self._pool.lease()

    def request_refresh(self) -> None:
        if self._refreshing:
            self._dirty = True
            return
        self._refreshing = True
        failing = health.recheck(self.snapshot.services) if self.snapshot else []
        self._refresh(self.tasks_scope, self.main(TasksPane).history, failing)

    @work(thread=True, exit_on_error=False, group="refresh")
    def _refresh(self, scope: str | None, history: bool = False, failing: list[str] | None = None) -> None:
        generation = self._generation
        watcher = self.watcher if self.watcher is not None and self.watcher.fed else None  # it takes no snapshot of its own
        try:
            with self._client() as client:
                snapshot = client.snapshot(tasks_for=scope, history=history, recheck=failing or ())
            message = SnapshotReady(snapshot, scope, history)
            if watcher is not None and generation == self._generation:
                watcher.observe(snapshot)
        except ClusterError as exc:
            if watcher is not None and generation == self._generation:
                watcher.unreachable(exc)
            message = ClusterFailed(str(exc))
        except Exception as exc:  # noqa: BLE001 - a refresh must never kill the app
            message = ClusterFailed(f"{type(exc).__name__}: {exc}")
        message.generation = generation
        self.post_message(message)

    def _current(self, message) -> bool:
        """False for an answer from an endpoint left since (after failover or :ctx)."""
        return getattr(message, "generation", self._generation) == self._generation

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        self._refreshing = False
        if self.closing:
            return
        if not self._current(message):
            self.request_refresh()
            return
        self._set_stale(False)
        first = self.snapshot is None
        snap = self.snapshot = message.snapshot
        status = self.main(StatusLine)
        if self._switched_to is not None:
            self.main(Timeline).add([f"switched to {self._switched_to}: {plural(len(snap.nodes), 'node')}, {plural(len(snap.services), 'service')}"])
            self._switched_to = None
        elif status.connection != "connected":
            verb = "connected to" if status.connection == "connecting" else "back in touch with"
            self.main(Timeline).add([f"{verb} the manager: {plural(len(snap.nodes), 'node')}, {plural(len(snap.services), 'service')}"])
        status.connection, status.detail = "connected", ""
        with self.batch_update():
            status.show(snap)
            self.main(NodesPane).show(snap.nodes)
            self.main(ServicesPane).show(snap.services, snap.tasks, self.autoscale_cells())
            if message.scope == self.tasks_scope and message.history == self.main(TasksPane).history:
                self.main(TasksPane).show(snap.tasks, snap.taken_at)
                self._title_tasks()
            self._link_queues(snap)
            sentences = self._narrate(snap)
            if sentences:
                self.main(Timeline).add(sentences)
        if self.tasks_scope is None and snap.services:
            self._select_service(self.main(ServicesPane).highlighted_key or snap.services[0].id)
        if self._dirty:
            self._dirty = False
            self.request_refresh()
        if first:  # the screen is built and filled: its heap out of later full collections (collector.py)
            self.call_after_refresh(collector.settle)

    def on_cluster_failed(self, message: ClusterFailed) -> None:
        self._refreshing = False
        if self.closing:
            return
        if not self._current(message):
            self.request_refresh()
            return
        status = self.main(StatusLine)
        first = status.connection != "reconnecting"
        status.connection, status.detail = "reconnecting", message.error
        self._set_stale(True)
        if first:
            self.main(Timeline).add([f"lost the manager: {message.error}"])
        if isinstance(message.error, str) and "does not have a leader" in message.error:
            return  # a manager answers; raft is electing: wait for it rather than hop around
        reason = failover.why_not(self.endpoint, self.snapshot)
        if reason is not None:
            status.detail = f"{message.error} (no failover: {reason}; retrying)"
            status.refresh_text()
        elif not self._failing_over:
            self._failing_over = True
            status.detail = f"{message.error} (trying the other managers ...)"
            status.refresh_text()
            self._fail_over(self.endpoint, self.snapshot)

    # ---- another way in: failover -----------------------------------------------------------
    @work(thread=True, exit_on_error=False, group="failover")
    def _fail_over(self, lost, snapshot) -> None:
        try:
            attached = failover.find_manager(lost, snapshot)
        except Exception:  # noqa: BLE001 - no failover this time; the next failed refresh tries again
            attached = None
        self.post_message(FailoverResult(lost, attached))

    def on_failover_result(self, message: FailoverResult) -> None:
        self._failing_over = False
        if self.closing or message.lost is not self.endpoint:
            return
        status = self.main(StatusLine)
        if message.attached is None:
            status.detail = (f"{status.detail.split(' (')[0]} (no other manager answers yet: after losing the leader "
                             "raft takes about 20-35 s to elect another; retrying)")
            status.refresh_text()
            self.set_timer(FAILOVER_RETRY_SECONDS, self.request_refresh)  # the next failed refresh tries again
            return
        snap = self.snapshot
        lost_node = next((n for n in snap.nodes if n.address == message.lost.address), None) if snap else None
        lost_name = lost_node.hostname if lost_node else message.lost.label
        words = f"{lost_name} unreachable — now through {message.attached.hostname}"
        self._attach(message.attached.endpoint, f"{message.attached.hostname} ({message.attached.endpoint.url})")
        self.restart_watcher(same_swarm=True)
        status.note = words
        self.main(Timeline).add([words])

    def _new_feed(self):
        """An unstarted feed whose signals carry this endpoint's generation."""
        generation = self._generation

        def on_signal(signal) -> None:
            message = SwarmChanged(signal)
            message.generation = generation
            self.post_message(message)

        return self.sources.feed(on_signal)

    def _attach(self, endpoint, label: str, follow_logs: bool = True) -> None:
        """Point every client, stream and worker at `endpoint`: the old feed, clients and log
        stream are closed (off the UI thread), answers still coming from them are dropped."""
        old_feed, old_pool = self.feed, self._pool
        self._generation += 1
        self.endpoint = endpoint
        if self._live:
            self.sources = live_sources(self.settings, endpoint)
        self._pool = ClientPool(self.sources.swarm)
        self.feed = self._new_feed().start()
        if self.tasks_scope is not None:
            kind = "node" if self.snapshot and self.snapshot.node_by_id(self.tasks_scope) else "service"
            self.feed.watch(services=[self.tasks_scope] if kind == "service" else [], nodes=[self.tasks_scope] if kind == "node" else [])
        threading.Thread(target=lambda: (old_feed.stop(), old_pool.close()), name="swarmtui-detach", daemon=True).start()
        status = self.main(StatusLine)
        status.manager = label
        status.refresh_text()
        if follow_logs:
            logs = self.main(LogsPane)
            logs.follow_scope(logs.scope)
        self._refreshing = False
        self.request_refresh()

    # ---- stale: what is shown is no longer vouched for ------------------------------------
    STALE_PANES = (ServicesPane, NodesPane, TasksPane, LogsPane, QueuePane)

    def _set_stale(self, stale: bool) -> None:
        panes = self.query_one("#panes")
        if stale == panes.has_class("-stale"):
            return
        panes.set_class(stale, "-stale")
        if not stale:
            for pane, subtitle in self._stale_titles.items():
                pane.border_subtitle = subtitle
            self._stale_titles = {}
            return
        snap = self.snapshot
        when = snap.taken_at.astimezone().strftime("%H:%M:%S") if snap and snap.taken_at else "?"
        for cls in self.STALE_PANES:
            pane = self.main(cls)
            self._stale_titles[pane] = pane.border_subtitle
            pane.border_subtitle = f"stale · as of {when}"
        if snap is not None:  # no node drawn Ready / Leader as if that were known now
            nodes = self.main(NodesPane)
            for n in snap.nodes:
                nodes.patch(n.id, "status", Text(f"{n.status}?", style="dim"))
                if n.manager_status:
                    nodes.patch(n.id, "manager", Text(f"{n.manager_status}?", style="dim"))

    def on_swarm_changed(self, message: SwarmChanged) -> None:
        if self.closing or not self._current(message):
            return
        # The timeline is narrated from the snapshots this refresh brings, not from the events.
        signal = message.signal
        nodes = self.main(NodesPane)
        for node_id, state in signal.node_states:  # shown at once: a big swarm's refresh can take seconds
            nodes.patch(node_id, "status", styled(state.capitalize()))
        if signal.connected is False:
            status = self.main(StatusLine)
            status.connection, status.detail = "reconnecting", self.feed.last_error
        self.request_refresh()

    async def on_unmount(self) -> None:
        self.keep_theme()  # picked less than THEME_SETTLE_SECONDS before quitting
        await asyncio.to_thread(self.feed.stop)
        await asyncio.to_thread(self.stop_watcher)
        await asyncio.to_thread(self.stop_usage)
        self._pool.close()

    # ---- the Redis work queue ------------------------------------------------------------
    def poll_queue(self) -> None:
        if not self._polling_queue:
            self._polling_queue = True
            self._poll_queue()

    @work(thread=True, exit_on_error=False, group="queue")
    def _poll_queue(self) -> None:
        try:
            self.post_message(QueuePolled(self.queue_monitor.poll()))
        finally:
            self._polling_queue = False

    def on_queue_polled(self, message: QueuePolled) -> None:
        if self.closing:
            return
        self.main(QueuePane).show(message.snapshot)

    @on(QueuePane.ActionDone)
    def _queue_changed(self) -> None:
        self.poll_queue()

    def _link_queues(self, snap: Snapshot) -> None:
        """Services labelled swarmtui.queue=KEY feed the queue pane's "should I scale?" lines."""
        for service in snap.services:
            key = service.labels.get(QUEUE_LABEL)
            if key and key not in self.settings.queue_links:
                self.queue_monitor.links[key] = service.name
        self.main(QueuePane).set_replicas({s.name: s.replicas_running for s in snap.services})

    # ---- selection ----------------------------------------------------------------
    def _title_tasks(self) -> None:
        snap, scope = self.snapshot, self.tasks_scope
        name = ""
        if snap and scope:
            svc = next((s for s in snap.services if s.id == scope), None)
            node = snap.node_by_id(scope)
            name = svc.name if svc else (f"on {node.hostname}" if node else "")
        history = " (with history: h hides it)" if self.main(TasksPane).history else ""
        self.main(TasksPane).border_title = f"3 Tasks {name}".rstrip() + history

    def _set_tasks_scope(self, scope: str, kind: str) -> None:
        self.tasks_scope = scope
        self.feed.watch(services=[scope] if kind == "service" else [], nodes=[scope] if kind == "node" else [])

    def _select_service(self, service_id: str | None) -> None:
        if service_id and service_id != self.tasks_scope:
            self._set_tasks_scope(service_id, "service")
            self.main(TasksPane).clear()
            self._title_tasks()
            self.on_service_selected(service_id)
            self.request_refresh()

    def on_service_selected(self, service_id: str) -> None:
        """The logs pane follows the selected service, once the cursor rests (not per row passed)."""
        if self._follow_timer is not None:
            self._follow_timer.stop()
        self._follow_timer = self.set_timer(LOGS_SWITCH_DELAY, lambda: self._follow_logs(service_id))

    def _follow_logs(self, service_id: str | None) -> None:
        if self.closing:  # the timer can fire while the panes are torn down
            return
        logs = self.main(LogsPane)
        same = logs.scope.kind == ("service" if service_id else "all") and service_id == logs.service_id
        if same and logs.stream is not None and self.logs_stack is None:
            return
        service = next((s for s in self.snapshot.services if s.id == service_id), None) if self.snapshot and service_id else None
        self.logs_stack = None
        logs.follow_service(service_id, service.name if service else "all services")

    def _follow_scope(self, scope: LogScope) -> None:
        """The logs pane follows a task or a node (a service switch still pending is dropped)."""
        if self._follow_timer is not None:
            self._follow_timer.stop()
        self.main(LogsPane).follow_scope(scope)

    @on(DataTable.RowHighlighted, "#services")
    def _service_highlighted(self, event: DataTable.RowHighlighted) -> None:
        # after the frame that moves the cursor: emptying the tasks pane is a layout pass of the whole
        # screen (~25 ms at 500 nodes), and the key's own effect comes first
        self.call_after_refresh(self._select_service, event.row_key.value)

    def selected_service(self):
        key = self.main(ServicesPane).highlighted_key
        return next((s for s in self.snapshot.services if s.id == key), None) if self.snapshot and key else None

    def selected_node(self):
        key = self.main(NodesPane).highlighted_key
        return self.snapshot.node_by_id(key) if self.snapshot and key else None

    # ---- panes, filter, command line ------------------------------------------------
    def _pane(self, name: str) -> Widget:
        return self.main(f"#{name}")

    def action_focus_pane(self, name: str) -> None:
        pane = self._pane(name)
        if pane.has_class("-folded"):  # 1 or 3 in the logs layout: back to the one that shows it
            self._apply_layout(next(n for n, folded in LAYOUTS.items() if name not in folded))
        self._shown_pane = name
        if self.screen_stack[0].has_class("-narrow"):
            self._mark_shown()  # before the focus: a pane not shown cannot take it
        if pane.focusable:
            pane.focus()
            return
        inner = next((w for w in pane.query("*") if w.focusable), None)  # e.g. the queue pane's table
        if inner is not None:
            inner.focus()

    def _current_pane(self) -> str:
        focused = self.focused
        while focused is not None and focused.id not in PANES:
            focused = focused.parent
        return focused.id if focused is not None else PANES[0]

    def action_cycle_pane(self, step: int) -> None:
        if len(self.screen_stack) > 1:  # a dialog is open: tab moves between its fields
            self.screen.focus_next() if step > 0 else self.screen.focus_previous()
            return
        shown = [p for p in PANES if not self._pane(p).has_class("-folded")]
        current = self._current_pane()
        index = shown.index(current) if current in shown else 0
        self.action_focus_pane(shown[(index + step) % len(shown)])

    def action_zoom(self) -> None:
        if self.screen.maximized is not None:
            self.screen.minimize()
        else:
            self.screen.maximize(self._pane(self._current_pane()))

    def action_filter(self) -> None:
        pane = self._pane(self._current_pane())
        table = pane if isinstance(pane, LiveTable) else next(iter(pane.query(LiveTable)), None)  # the tasks pane's
        if table is None:
            return
        box = self.main("#filter", Prompt)
        box.value = table.filter_text
        box.returns_to = table
        box.add_class("visible")
        box.focus()
        self._filter_target, self._filter_pane = table, pane

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        target = self._filter_target
        if target is not None:
            target.set_filter(event.value)
            if target is self.main(ServicesPane):  # the tasks and logs follow the service left under the cursor
                self._select_service(target.highlighted_key)
            shown, total, pane = target.row_count, target.total_rows, self._filter_pane
            base = pane.border_title.split(" [")[0]
            pane.border_title = f"{base} [{shown}/{total} match {event.value!r}]" if event.value else base

    @on(Input.Submitted, "#filter")
    def _filter_done(self, event: Input.Submitted) -> None:
        event.input.remove_class("visible")
        if self._filter_target is not None:
            self._filter_target.focus()

    def action_command_line(self) -> None:
        box = self.main("#command", Prompt)
        box.value = ""
        box.returns_to = self.focused
        box.add_class("visible")
        box.focus()

    @on(Input.Submitted, "#command")
    def _command(self, event: Input.Submitted) -> None:
        event.input.remove_class("visible")
        word = " ".join(event.value.strip().lstrip(":").lower().split())
        action = COMMANDS.get(word)
        if action is not None:
            self.perform(action)
            return
        if word:
            self.notify(f"unknown command :{word} — try {COMMAND_HINT}", severity="warning")
        self.action_focus_pane("services")

    def perform(self, action: Action) -> None:
        """Run a table action from the command line or the palette, through the read-only gate."""
        if not self.read_only_gate.check(action.id):
            if self.focused is None or self.focused.id == "command":
                self.action_focus_pane("services")
            return
        namespace = self if action.scope not in PANES else self._pane(action.scope)
        self.call_later(self.run_action, action.action, namespace)

    def action_follow_all_logs(self) -> None:
        self._follow_logs(None)
        self.action_focus_pane("logs")

    def action_back(self) -> None:
        for box in self.query("#filter, #command").results(Input):
            if box.has_class("visible"):
                box.remove_class("visible")
                if box.id == "filter" and self._filter_target is not None:
                    box.value = ""
                    self._filter_target.focus()
                else:
                    self.action_focus_pane("services")
                return
        if self.screen.maximized is not None:
            self.screen.minimize()
        elif self._current_pane() == "services" and self.main(ServicesPane).stack_name is not None:
            self.main(ServicesPane).narrow(None)  # back from one stack's services to all

    def action_help(self) -> None:
        where = self._current_pane() if len(self.screen_stack) == 1 else "app"
        tables = ("tables",) if isinstance(self.focused, LiveTable) else ()
        self.push_screen(HelpScreen(help_sections((where, *tables, "app"), self.user_keymap, self.read_only_gate)))

    # ---- the command palette and read-only mode -------------------------------------------
    def get_system_commands(self, screen) -> Iterable[SystemCommand]:
        """Every action of the panes is also a command palette entry (ctrl+p), before Textual's own
        (theme, screenshot ...); read-only hides the dangerous ones."""
        for action in ACTIONS:
            if action.palette and action.scope in PANE_SCOPES and self.read_only_gate.allows(action):
                where = "" if action.scope == "app" else f"{action.scope}: "
                keys = self.user_keymap.get(action.id, action.keys)
                yield SystemCommand(f"{where}{action.help}", f"key {key_display(keys)}" if keys else f":{action.commands[0]}",
                                    partial(self.perform, action))
        yield from super().get_system_commands(screen)

    def on_key(self, event: events.Key) -> None:
        """A key of a dangerous action pressed in read-only mode: its binding is disabled (check_action),
        so Textual would drop it silently; say why instead."""
        active = self.screen.active_bindings.get(event.key)
        if active is not None and not active.enabled and active.binding.id in BY_ID:
            self.read_only_gate.check(active.binding.id)

    def action_quit(self) -> None:
        self.exit()
