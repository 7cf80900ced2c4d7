"""Nodes pane: one row per swarm node; Down nodes stand out in red."""

from __future__ import annotations

from rich.text import Text

from swarmtui.cluster.models import Node
from swarmtui.ui.format import styled
from swarmtui.ui.widgets.table import Cells, LiveTable


def node_cells(node: Node) -> Cells:
    name = Text(node.hostname, style="bold red" if node.status != "ready" else "")
    return (
        name,
        node.role,
        styled(node.status.capitalize()),
        styled(node.availability.capitalize()),
        styled(node.manager_status) if node.manager_status else "",
        node.engine_version,
        node.address,
        str(node.running_tasks),
    )


class NodesTable(LiveTable):
    BORDER_TITLE = "1 Nodes"
    COLUMNS = (
        ("hostname", "HOSTNAME"), ("role", "ROLE"), ("status", "STATUS"), ("availability", "AVAIL"),
        ("manager", "MANAGER"), ("engine", "ENGINE"), ("address", "ADDRESS"), ("tasks", "TASKS"),
    )

    def show(self, nodes: tuple[Node, ...]) -> None:
        self.sync({n.id: node_cells(n) for n in nodes})
