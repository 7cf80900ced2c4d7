"""Tasks pane: the tasks of the selected service (or node), newest state first within a slot."""

from __future__ import annotations

from datetime import datetime

from swarmtui.cluster.models import Task
from swarmtui.ui.format import age, styled
from swarmtui.ui.widgets.table import Cells, LiveTable


def task_cells(task: Task, now: datetime | None = None) -> Cells:
    tag = task.image.rsplit(":", 1)[-1] if ":" in task.image.rsplit("/", 1)[-1] else ""
    return (
        task.name,
        task.node_hostname or task.node_id[:12],
        styled(task.state.capitalize()),
        age(task.state_since, now),
        task.desired_state,
        tag,
        task.error,
    )


class TasksTable(LiveTable):
    BORDER_TITLE = "3 Tasks"
    COLUMNS = (
        ("name", "TASK"), ("node", "NODE"), ("state", "STATE"), ("age", "SINCE"),
        ("desired", "DESIRED"), ("tag", "TAG"), ("error", "ERROR"),
    )

    def sort_key(self, cells: Cells):
        name = str(cells[0])
        service, _, slot = name.rpartition(".")
        return (service, int(slot) if slot.isdigit() else 0, slot, str(cells[1]))

    def show(self, tasks: tuple[Task, ...], now: datetime | None = None) -> None:
        self.sync({t.id: task_cells(t, now) for t in tasks})
