"""Nodes pane: one row per swarm node; Down nodes stand out in red.

CPU and MEMORY are what the tasks placed on the node reserve, against what the node has (from
its description: no access to the node needed); a node near capacity stands out.  LIMITS is
the sum of the tasks' limits, in yellow where it is more than the node has (overcommitted).
"""

from __future__ import annotations

from rich.text import Text

from swarmtui.cluster.models import Node
from swarmtui.ui.format import cpus, size, styled, usage
from swarmtui.ui.widgets.ranks import AVAILABILITY, MANAGER, NODE_STATUS, ROLES, address, natural, rank, share
from swarmtui.ui.widgets.table import Cells, LiveTable, Values


def node_cells(node: Node) -> Cells:
    name = Text(node.hostname, style="bold red" if node.status != "ready" else "")
    return (
        name,
        node.role,
        styled(node.status.capitalize()),
        styled(node.availability.capitalize()),
        styled(node.manager_status) if node.manager_status else "",
        str(node.running_tasks),
        usage(node.reserved.cpus, node.cpus, f"{cpus(node.reserved.cpus)}/{cpus(node.cpus)}"),
        usage(node.reserved.memory_bytes, node.memory_bytes, f"{size(node.reserved.memory_bytes)}/{size(node.memory_bytes)}"),
        limits_cell(node),
        node.address,
        node.engine_version,
    )


def node_values(node: Node) -> Values:
    """What each column sorts by (see node_cells)."""
    return (
        natural(node.hostname), rank(ROLES, node.role), rank(NODE_STATUS, node.status), rank(AVAILABILITY, node.availability),
        rank(MANAGER, node.manager_status), node.running_tasks, share(node.reserved.cpus, node.cpus),
        share(node.reserved.memory_bytes, node.memory_bytes), (node.limits.cpus, node.limits.memory_bytes),
        address(node.address), natural(node.engine_version),
    )


def limits_cell(node: Node) -> Text:
    limits = node.limits
    words = [f"{cpus(limits.cpus)} cpu" if limits.cpus else "", size(limits.memory_bytes) if limits.memory_bytes else ""]
    over = limits.cpus > node.cpus or limits.memory_bytes > node.memory_bytes
    return Text(" ".join(w for w in words if w), style="yellow" if over else "")


class NodesTable(LiveTable):
    BORDER_TITLE = "1 Nodes"
    SORT_NAME = "nodes"
    COLUMNS = (
        ("hostname", "HOSTNAME"), ("role", "ROLE"), ("status", "STATUS"), ("availability", "AVAIL"),
        ("manager", "MANAGER"), ("tasks", "TASKS"), ("cpu", "CPU RES"), ("memory", "MEM RES"), ("limits", "LIMITS"),
        ("address", "ADDRESS"), ("engine", "ENGINE"),
    )

    def show(self, nodes: tuple[Node, ...]) -> None:
        # A node's cells are made again only when the node changed: 500 nodes cost ~0.2 s of UI
        # thread per refresh to style, while a refresh rarely changes more than a few of them.
        made = getattr(self, "_made", {})
        self._made = {n.id: made[n.id] if n.id in made and made[n.id][0] == n else (n, node_cells(n), node_values(n))
                      for n in nodes}
        self.sync({k: m[1] for k, m in self._made.items()}, {k: m[2] for k, m in self._made.items()})
