"""The app on recorded lab data, for SVG snapshots and for UI tests that need no lab.

SwarmApp is given recorded sources (its `sources`): a client that answers `snapshot()` from the
Engine API payloads captured on the lab (tests/unit/fixtures/cluster_*.json) with a fixed
`taken_at`, so the ages in the tasks table never move; a log stream of fixed LogLines; a queue
monitor polling a fixed QueueSnapshot; a change feed that never signals. The timeline sentences
are narrated from the recorded data at fixed times.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone
from pathlib import Path

from textual.widgets import DataTable, Input, TextArea

from swarmtui.cluster import assemble, convert, definition
from swarmtui.cluster.logs import LogLine
from swarmtui.cluster.models import Snapshot
from swarmtui.cluster.narrate import Narrator
from swarmtui.config import Settings
from swarmtui.queue.models import KeyStats, QueueSnapshot
from swarmtui.queue.monitor import QueueMonitor
from swarmtui.ui._textual_private import drop_render_caches
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.sources import Sources
from swarmtui.ui.sources import live as live_sources
from swarmtui.ui.widgets.logs import LogsPane
from swarmtui.ui.widgets.queue import QueuePane
from swarmtui.ui.widgets.timeline import Timeline
from swarmtui.ui.widgets.table import plain
from tests.ui.waiting import until

FIXTURES = Path(__file__).parent.parent / "unit" / "fixtures"
NO_DOCKER = "unix:///nonexistent/swarmtui-snapshots/docker.sock"  # named in the status line; nothing connects to it
TAKEN_AT = datetime(2026, 11, 26, 23, 46, 41, tzinfo=timezone.utc)  # a few seconds after the capture
CONNECTED_AT = datetime(2026, 11, 26, 23, 46, 5)  # when the timeline says the app connected
SERVICE = "caphost"  # the recorded service caught mid rolling update (0.01 → 0.02)


# ---- recorded data -----------------------------------------------------------------------------
def _load(name: str):
    return json.loads((FIXTURES / f"cluster_{name}.json").read_text())


def recorded_snapshot(tasks_for: str | None = None, history: bool = False) -> Snapshot:
    """SwarmClient.snapshot()'s own assembly, on the captured payloads instead of the Engine API."""
    raw_tasks = _load("tasks_caphost")
    running = [t for t in raw_tasks if t.get("DesiredState") == "running"]  # desired-state=running, as the client lists
    raw = assemble.RawSwarm(_load("swarm"), _load("nodes"), _load("services"), running,
                            convert.network_names(_load("networks")), raw_tasks if history else None)
    return assemble.snapshot(raw, TAKEN_AT, tasks_for)


class RecordedClient:
    """Stands in for SwarmClient: snapshots from recorded payloads; operations are not expected."""

    def snapshot(self, tasks_for: str | None = None, history: bool = False, recheck=()) -> Snapshot:
        return recorded_snapshot(tasks_for, history)

    def rollback_changes(self, service_id: str):
        return definition.rollback_changes(next(s for s in _load("services") if s["ID"] == service_id))

    def definition(self, kind: str, ident: str) -> str:
        recorded = {"service": _load("services"), "node": _load("nodes"), "task": _load("tasks_caphost")}[kind]
        return definition.definition(next(item for item in recorded if item["ID"] == ident))


def timeline_entries() -> list[tuple[datetime, list[str]]]:
    """The narrator's sentences for the recorded rolling update: the swarm just before it, then as captured."""
    after = recorded_snapshot(tasks_for=service_id(SERVICE), history=True)
    svc = after.service_by_name(SERVICE)
    old_image = svc.image.replace(":0.02", ":0.01")
    before = dataclasses.replace(
        after,
        services=tuple(dataclasses.replace(s, image=old_image, update_status=None, replicas_running=2)
                       if s.id == svc.id else s for s in after.services),
        tasks=tuple(dataclasses.replace(t, desired_state="running") for t in after.tasks
                    if t.image == old_image and t.state == "running"),
    )
    narrate = Narrator()
    narrate(before)
    now = datetime(2026, 11, 26, 23, 46, 29)
    return [(datetime(2026, 11, 26, 23, 46, 10), ["lab-worker-2 ready", f"service {SERVICE} created ({old_image}, 2 replicas)"]),
            (now, narrate(after))]


def service_id(name: str) -> str:
    return next(s["ID"] for s in _load("services") if s["Spec"]["Name"] == name)


def log_lines() -> list[LogLine]:
    """Replica output as the sample spider prints it, two replicas of the old image, one of the new."""
    replicas = [("atlgn7gzc9nk", 1, "lab-manager-1", "0.01"), ("l8ch2kk6dixg", 2, "lab-worker-2", "0.01"),
                ("o0bhgrqlopbi", 1, "lab-worker-1", "0.02")]
    out = []
    for i in range(24):
        task, slot, node, version = replicas[i % 3] if i >= 6 else replicas[i % 2]
        replica = f"{SERVICE}.{slot}"
        text = (f"spider {version} replica {replica} on {node} taking work from example:swarm:spider at redis://:***@10.89.0.1:7891/0"
                if i in (0, 1, 6) else
                f"{version} done https://books.example/page/{1000 + i * 7} 200 {180 + (i * 37) % 400}ms")
        out.append(LogLine(task, SERVICE, slot, node, f"2026-11-26T23:46:{10 + i // 2:02d}.{i:03d}000000Z", text))
    return out


def queue_snapshot() -> QueueSnapshot:
    history = tuple(1800 - i * 19 + (i % 4) * 6 for i in range(60))
    spider = KeyStats("example:swarm:spider", "list", 1234, 3, 4.2, 6.8, 475.0, "counters", history,
                      consumers=3, pattern="example:swarm:spider", service=SERVICE)
    results = KeyStats("example:swarm:spider:results", "list", 566, None, 6.8, 0.0, None, "net",
                       tuple(500 + i for i in range(0, 66)), pattern="example:swarm:spider:results")
    return QueueSnapshot(taken_at=1_795_737_601.0, keys=(spider, results), server="10.89.0.1:7891 db 0",
                         watched=("example:swarm:spider", "example:swarm:spider:results"), elapsed_ms=2.0)


# ---- the app on recorded data --------------------------------------------------------------------
class QuietFeed:
    """The change feed of a recorded swarm: nothing ever changes."""

    last_error = ""

    def start(self) -> "QuietFeed":
        return self

    def watch(self, services=(), nodes=()) -> None:
        pass

    def stop(self) -> None:
        pass


class RecordedLogs:
    """The recorded replicas' lines, delivered once when the stream of the recorded service starts."""

    def __init__(self, scope, tail, on_batch, filters=None, since=None) -> None:
        self.service, self.on_batch = scope.id, on_batch

    def start(self) -> None:
        if self.service == service_id(SERVICE):
            self.on_batch(log_lines())

    def close(self) -> None:
        pass


class RecordedQueue(QueueMonitor):
    """The queue pane's monitor, polling a recorded QueueSnapshot instead of Redis."""

    def poll(self) -> QueueSnapshot:
        return queue_snapshot()


def recorded_sources(settings: Settings) -> Sources:
    return dataclasses.replace(
        live_sources(settings), swarm=RecordedClient, feed=lambda on_signal: QuietFeed(), log_stream=RecordedLogs,
        queue=lambda: RecordedQueue(None, settings.queue_keys, settings.queue_links),
        watcher=None,  # the alert rules read the swarm themselves: none on a recorded one
        usage=None,  # no node engines behind a recorded swarm: CPU/memory cells stay empty
    )


def make_app(**settings) -> SwarmApp:
    settings = Settings(docker_host=NO_DOCKER, redis_url=None, registry="10.89.0.1:8003", **settings)
    return SwarmApp(settings, sources=recorded_sources(settings))


async def main_screen(pilot) -> None:
    """The recorded swarm on screen, caphost selected, its logs, the queue and the timeline filled in."""
    app = pilot.app
    services = app.query_one("#services")
    await until(pilot, lambda: services.row_count == 3, what="the services rows")
    row = next(i for i in range(services.row_count) if plain(services.get_row_at(i)[0]) == SERVICE)
    services.move_cursor(row=row)
    sid = service_id(SERVICE)
    tasks = app.query_one("#tasks-table")
    logs = app.query_one(LogsPane)
    await until(pilot, lambda: app.tasks_scope == sid and tasks.row_count > 0, what="the tasks of caphost")
    await until(pilot, lambda: logs.service_id == sid, what="the logs pane to follow caphost")
    queue = app.query_one(QueuePane)
    await until(pilot, lambda: queue.snapshot == queue_snapshot(), what="the recorded queue")
    timeline = app.query_one(Timeline)
    await until(pilot, lambda: timeline.entries, what="the app's first timeline line")
    said = list(timeline.entries)  # the app's own words ("connected to the manager ..."), stamped with the wall clock
    timeline.clear()
    timeline.entries.clear()
    timeline.add(said, when=CONNECTED_AT)
    for when, sentences in timeline_entries():
        timeline.add(sentences, when=when)
    await until(pilot, lambda: logs.received == len(log_lines()), what="the log lines")
    await settle_tables(pilot)


async def settle_tables(pilot) -> None:
    """Work around a DataTable race (seen here in about 1 run of 6, reported): rows added inside the app's
    batch_update can be painted before the table's idle handler widens the columns, and the stale lines
    (header-wide columns: "caph  lab-  Runni") stay cached until the next change. Drop those caches."""
    await pilot.pause()
    for table in pilot.app.screen_stack[0].query(DataTable):
        drop_render_caches(table)
        table.refresh()
    await pilot.pause()


async def steady_inputs(pilot) -> None:
    """A blinking cursor would make a dialog's snapshot depend on timing: keep it shown."""
    await pilot.pause()
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    for area in pilot.app.screen.query(TextArea):  # the push dialog's items box
        area.cursor_blink = False
        # TextArea keys its line cache on the cursor only while it blinks: a line cached in the blink's
        # "off" phase is reused without the cursor (the push dialog's snapshot differed ~1 run in 4).
        # notify_style_update() drops that cache.
        area.notify_style_update()
        area.refresh()
    await pilot.pause()


def then(*steps):
    async def run(pilot) -> None:
        await main_screen(pilot)
        for step in steps:
            if isinstance(step, str):
                await pilot.press(step)
            else:
                await step(pilot)
        await steady_inputs(pilot)
    return run
