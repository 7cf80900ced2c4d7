"""Every key of swarmtui in one table: where it works, what it does, whether it is dangerous.

The footer, the `?` help screen, the command palette and read-only mode are all
built from this table, so a key is described once.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Action:
    id: str  # the app action name (action_<id>) and the binding id users can remap
    key: str
    label: str
    pane: str  # global | services | nodes
    help: str
    dangerous: bool = False  # changes the swarm: asks or is disabled in read-only mode
    show: bool = True  # in the footer


ACTIONS: tuple[Action, ...] = (
    Action("help", "question_mark", "Help", "global", "this help"),
    Action("command_line", "colon", "Cmd", "global", "command line: :nodes :services :tasks :logs :queue :bootstrap :q"),
    Action("filter", "slash", "Filter", "global", "filter the focused table (esc clears)"),
    Action("zoom", "z", "Zoom", "global", "maximise the focused pane / restore"),
    Action("quit", "q", "Quit", "global", "quit"),
    Action("scale_up", "plus", "+1", "services", "scale the service up by one", dangerous=True),
    Action("scale_down", "minus", "-1", "services", "scale the service down by one", dangerous=True),
    Action("scale_to", "s", "Scale", "services", "scale to a number (0 stops it everywhere, after a confirmation)", dangerous=True),
    Action("rolling_update", "u", "Update", "services", "rolling update to a new image tag", dangerous=True),
    Action("rollback", "R", "Rollback", "services", "roll back to the previous spec", dangerous=True),
    Action("force_restart", "F", "Restart", "services", "forced rolling restart of every replica", dangerous=True),
    Action("release", "B", "Release", "services", "build, push and roll out a new tag; rolls back by itself on failure", dangerous=True),
    Action("new_service", "n", "New", "services", "create a service", dangerous=True),
    Action("remove_service", "ctrl+d", "Remove", "services", "remove the service (asks first)", dangerous=True),
    Action("show_tasks", "enter", "Tasks", "services", "show its tasks", show=False),
    Action("show_logs", "l", "Logs", "services", "follow its logs"),
    Action("promote", "P", "Promote", "nodes", "promote the node to manager", dangerous=True),
    Action("demote", "D", "Demote", "nodes", "demote the manager to worker", dangerous=True),
    Action("drain", "d", "Drain", "nodes", "drain: move its tasks elsewhere", dangerous=True),
    Action("pause", "p", "Pause", "nodes", "pause: no new tasks on it", dangerous=True),
    Action("activate", "a", "Activate", "nodes", "activate: schedule tasks on it again", dangerous=True),
    Action("labels", "L", "Labels", "nodes", "add or remove node labels", dangerous=True),
    Action("remove_node", "ctrl+d", "Remove", "nodes", "remove a Down node from the swarm (asks first)", dangerous=True),
    Action("node_tasks", "enter", "Tasks", "nodes", "show the tasks on this node", show=False),
    Action("bootstrap", "b", "Bootstrap", "nodes", "wizard: turn fresh servers into swarm nodes over SSH", dangerous=True),
)

DANGEROUS = frozenset(a.id for a in ACTIONS if a.dangerous)


def bindings(pane: str) -> list[Binding]:
    """Bindings for a pane; each runs the app's action of the same id."""
    return [
        Binding(a.key, f"app.{a.id}", a.label, show=a.show, id=f"{pane}.{a.id}")
        for a in ACTIONS
        if a.pane == pane
    ]
