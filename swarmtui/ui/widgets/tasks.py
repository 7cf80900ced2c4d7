"""Tasks pane: the tasks of the selected service (or node), newest state first within a slot.

The SINCE column holds a `Since` cell, not a string: it compares equal while the task's state
time does, so a refresh a second later rewrites no cell (500 young tasks would otherwise mean
500 `update_cell` calls per refresh); it is drawn against the table's clock, the time of the
latest snapshot, so only the rows on screen are re-rendered when that clock moves.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from swarmtui.cluster.models import Task
from swarmtui.ui.format import age, styled
from swarmtui.ui.widgets.table import Cells, LiveTable


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


def _cells(task: Task, since) -> Cells:
    tag = task.image.rsplit(":", 1)[-1] if ":" in task.image.rsplit("/", 1)[-1] else ""
    return (
        task.name,
        task.node_hostname or task.node_id[:12],
        styled(task.state.capitalize()),
        since,
        task.desired_state,
        tag,
        task.error,
    )


def task_cells(task: Task, now: datetime | None = None) -> Cells:
    """The row of a task as plain values (SINCE as text, against `now`)."""
    return _cells(task, age(task.state_since, now))


class TasksTable(LiveTable):
    BORDER_TITLE = "3 Tasks"
    COLUMNS = (
        ("name", "TASK"), ("node", "NODE"), ("state", "STATE"), ("age", "SINCE"),
        ("desired", "DESIRED"), ("tag", "TAG"), ("error", "ERROR"),
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.clock = Clock()

    def sort_key(self, cells: Cells):
        name = str(cells[0])
        service, _, slot = name.rpartition(".")
        return (service, int(slot) if slot.isdigit() else 0, slot, str(cells[1]))

    def show(self, tasks: tuple[Task, ...], now: datetime | None = None) -> None:
        moved = now is None or now != self.clock.now
        self.clock.now = now
        self.sync({t.id: _cells(t, Since(t.state_since, self.clock)) for t in tasks})
        if moved and self._shown:
            # One write re-renders the rows on screen against the new clock (DataTable keys its
            # render caches on its update count); the other rows are drawn when scrolled to.
            key = next(iter(self._shown))
            self.update_cell(key, "age", self._shown[key][3])
