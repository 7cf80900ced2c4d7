"""Tasks pane: the tasks of the selected service (or node), newest state first within a slot;
with history (`h`) the failed, shutdown, rejected and orphaned ones too.  A detail line under
the table tells the selected task's whole story: states, times, exit code and the engine's error
text uncut (a pending task's reason, "no suitable node (...)", included).

The SINCE column holds a `Since` cell, not a string: it compares equal while the task's state
time does, so a refresh a second later rewrites no cell (500 young tasks would otherwise mean
500 `update_cell` calls per refresh); it is drawn against the table's clock, the time of the
latest snapshot, so only the rows on screen are re-rendered when that clock moves.

CPU and MEMORY come from the nodes' engines (cluster/stats.py, polled by ui/usage.py for the rows
on screen only): "…" until a second sample gives a CPU figure, "—" where the node could not be
asked, the reason in the detail line and, for the first such node, under the pane.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from swarmtui.cluster.models import Task
from swarmtui.ui.actions import bindings
from swarmtui.ui.format import age, size, styled
from swarmtui.ui.widgets.lifecycle import while_composed
from swarmtui.ui.widgets.ranks import TASK_STATES, natural, newest_first, rank
from swarmtui.ui.widgets.table import Cells, LiveTable, Values


class Clock:
    """The time ages are shown against (None: now)."""

    __slots__ = ("now",)

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now


class Since:
    """A SINCE cell: equal while `when` is, drawn as `age(when, clock.now)`."""

    __slots__ = ("when", "clock")

    def __init__(self, when: datetime | None, clock: Clock) -> None:
        self.when = when
        self.clock = clock

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Since) and other.when == self.when

    def __hash__(self) -> int:
        return hash(self.when)

    @property
    def plain(self) -> str:
        return age(self.when, self.clock.now)

    def __str__(self) -> str:
        return self.plain

    def __rich__(self) -> Text:
        return Text(self.plain)


def usage_cells(usage) -> tuple[str, str]:
    """(CPU, MEMORY) of a task: a cluster.stats Usage, Unavailable (it has a reason) or None (not asked)."""
    if usage is None:
        return "", ""
    if hasattr(usage, "reason"):
        return "—", "—"
    cpu = "…" if usage.cpu_percent is None else f"{usage.cpu_percent:.1f}%"
    return cpu, f"{size(usage.memory_bytes)} / {size(usage.memory_limit)}" if usage.memory_limit else size(usage.memory_bytes)


def _cells(task: Task, since, usage=None) -> Cells:
    tag = task.image.rsplit(":", 1)[-1] if ":" in task.image.rsplit("/", 1)[-1] else ""
    return (
        task.name,
        task.node_hostname or task.node_id[:12],
        styled(task.state.capitalize()),
        since,
        task.desired_state,
        "" if task.exit_code is None else str(task.exit_code),
        tag,
        *usage_cells(usage if task.state == "running" else None),
        task.error,
    )


def task_values(task: Task, usage=None) -> Values:
    """What each column sorts by (see _cells): STATE trouble first, SINCE youngest first, CPU and
    MEMORY busiest first (as of the last snapshot: a poll between two does not reorder rows)."""
    tag = task.image.rsplit(":", 1)[-1] if ":" in task.image.rsplit("/", 1)[-1] else ""
    cpu = getattr(usage, "cpu_percent", None) if task.state == "running" else None
    memory = getattr(usage, "memory_bytes", None) if task.state == "running" else None
    return (
        (task.service_name, task.slot if task.slot is not None else -1, task.node_id), natural(task.node_hostname or task.node_id),
        rank(TASK_STATES, task.state), newest_first(task.state_since), rank(TASK_STATES, task.desired_state),
        task.exit_code, natural(tag), None if cpu is None else -cpu, None if memory is None else -memory,
        task.error.lower() or None,
    )


def task_cells(task: Task, now: datetime | None = None) -> Cells:
    """The row of a task as plain values (SINCE as text, against `now`)."""
    return _cells(task, age(task.state_since, now))


class TasksTable(LiveTable):
    BORDER_TITLE = "3 Tasks"
    SORT_NAME = "tasks"
    COLUMNS = (
        ("name", "TASK"), ("node", "NODE"), ("state", "STATE"), ("age", "SINCE"),
        ("desired", "DESIRED"), ("exit", "EXIT"), ("tag", "TAG"), ("cpu", "CPU"), ("memory", "MEMORY"),
        ("error", "ERROR"),
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.clock = Clock()
        self.usage: dict[str, object] = {}  # task ID -> its latest cluster.stats Usage / Unavailable
        self._tasks: dict[str, Task] = {}

    def visible_keys(self) -> list[str]:
        """Row keys on screen now (scrolled to, not filtered away): the only tasks worth polling."""
        height = self.scrollable_content_region.height - (self.header_height if self.show_header else 0)
        if not self._shown or height <= 0:
            return []
        first = int(self.scroll_y)
        return [row.key.value for row in self.ordered_rows[first:first + height]]

    def show_usage(self, usage: dict) -> None:
        """New figures for some tasks: only their two cells are written, only where they changed."""
        self.usage.update(usage)
        for key, value in usage.items():
            task = self._tasks.get(key)
            if task is not None:
                cpu, memory = usage_cells(value if task.state == "running" else None)
                self.patch(key, "cpu", cpu)
                self.patch(key, "memory", memory)

    def sort_key(self, cells: Cells):
        """Service, slot (a global task's node ID), then newest first (history holds several per slot)."""
        name = str(cells[0])
        service, _, slot = name.rpartition(".")
        when = getattr(cells[3], "when", None)
        return (service, int(slot) if slot.isdigit() else 0, slot, -when.timestamp() if when else 0.0)

    def show(self, tasks: tuple[Task, ...], now: datetime | None = None) -> None:
        moved = now is None or now != self.clock.now
        self.clock.now = now
        self._tasks = {t.id: t for t in tasks}
        self.usage = {k: v for k, v in self.usage.items() if k in self._tasks}
        self.sync({t.id: _cells(t, Since(t.state_since, self.clock), self.usage.get(t.id)) for t in tasks},
                  {t.id: task_values(t, self.usage.get(t.id)) for t in tasks})
        if moved and self._shown:
            # One write re-renders the rows on screen against the new clock (DataTable keys its
            # render caches on its update count); the other rows are drawn when scrolled to.
            key = next(iter(self._shown))
            self.update_cell(key, "age", self._shown[key][3])


def _clock(when: datetime | None, now: datetime | None) -> str:
    if when is None:
        return "?"
    return f"{when.astimezone():%H:%M:%S} ({age(when, now)} ago)"


def task_detail(task: Task, now: datetime | None = None, usage=None) -> Text:
    """Everything the engine says about one task, on as many lines as it takes (never cut)."""
    state = task.state + (f" ({task.message})" if task.message and task.message != task.state else "")
    parts: list[tuple[str, str] | str] = [
        (task.name, "bold"), f" {task.id[:12]}", f" on {task.node_hostname}" if task.node_hostname else " (no node yet)",
        " · current ", Text(state, style=styled(task.state).style), f" since {_clock(task.state_since, now)}",
        f" · desired {task.desired_state}",
    ]
    if task.exit_code is not None:
        parts += [" · exit ", (str(task.exit_code), "bold red" if task.exit_code else "")]
    if task.created is not None:
        parts.append(f" · created {_clock(task.created, now)}")
    if task.container_id:
        parts.append(f" · container {task.container_id[:12]}")
    if task.state == "running" and getattr(usage, "reason", ""):
        parts += ["\n", ("no CPU/memory: ", "bold"), (usage.reason, "yellow")]
    if task.error:
        parts += ["\n", ("pending: " if task.state in ("pending", "new") else "error: ", "bold"), (task.error, "red")]
    return Text.assemble(*parts)


class TasksPane(Vertical, can_focus=False):
    """The tasks table and, under it, the detail of the task under the cursor."""

    BINDINGS = bindings("tasks")  # history, inspect, shell: they run on the app

    ALLOW_MAXIMIZE = True  # `z` zooms the table and its detail line together
    DEFAULT_CSS = """
    TasksPane > TasksTable { height: 1fr; }
    TasksPane > #task-detail { height: auto; max-height: 8; padding: 0 1; border-top: solid $panel-lighten-2; }
    TasksPane > #task-detail.-empty { display: none; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.border_title = TasksTable.BORDER_TITLE
        self.history = False  # failed/shutdown/... tasks shown too (toggled with `h`)
        self._tasks: dict[str, Task] = {}

    def compose(self) -> ComposeResult:
        yield TasksTable(id="tasks-table")
        yield Static("", id="task-detail", classes="-empty")

    @property
    def table(self) -> TasksTable:
        return self.query_one(TasksTable)

    # A late snapshot or CPU/memory poll (before compose(), or while the children are torn down at
    # exit) has nothing to draw on: both seen in CI runs.
    @while_composed
    def show(self, tasks: tuple[Task, ...], now: datetime | None = None) -> None:
        self._tasks = {t.id: t for t in tasks}
        self.table.show(tasks, now)
        self.show_detail()

    def clear(self) -> None:
        self._tasks = {}
        self.table.sync({})
        self.show_detail()

    def selected(self) -> Task | None:
        key = self.table.highlighted_key
        return self._tasks.get(key) if key else None

    @while_composed
    def show_detail(self) -> None:
        detail = self.query_one("#task-detail", Static)
        task = self.selected()
        detail.set_class(task is None, "-empty")
        detail.update(task_detail(task, self.table.clock.now, self.table.usage.get(task.id)) if task else "")

    @while_composed
    def show_usage(self, usage: dict) -> None:
        self.table.show_usage(usage)
        reasons = {t.node_hostname: u.reason for k, u in usage.items() if hasattr(u, "reason") and (t := self._tasks.get(k))}
        first = next(iter(sorted(reasons.items())), None)
        more = f" (+{len(reasons) - 1} more nodes)" if len(reasons) > 1 else ""
        self.border_subtitle = f"— no CPU/memory from {first[0]}: {first[1]}{more}" if first else ""
        self.show_detail()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.show_detail()
