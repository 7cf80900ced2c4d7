"""The keys that look into a sick crawler: task history (h), a definition (i), a shell in a task (e).

A mixin of SwarmApp, like operations.py; it relies on the app's `main()`, `selected_service()`,
`selected_node()`, `snapshot`, `settings`, `fetch()` and `request_refresh()`.
"""

from __future__ import annotations

import subprocess

from swarmtui.cluster.reach import shown
from swarmtui.ui.screens.definition import DefinitionScreen
from swarmtui.ui.screens.form import Field, FormScreen, FormSpec
from swarmtui.ui.widgets.tasks import TasksPane

SHELL_HINT = "empty: bash if the image has it, else sh"


class DiagnoseActions:
    # ---- h: task history -----------------------------------------------------------------
    def action_toggle_history(self) -> None:
        pane = self.main(TasksPane)
        pane.history = not pane.history
        self._title_tasks()
        self.notify("tasks pane: with history (failed, shutdown, rejected ...)" if pane.history else "tasks pane: running tasks only")
        self.request_refresh()

    # ---- i: a definition as YAML ---------------------------------------------------------
    def _focused_item(self):
        """(kind, id, name) of what the cursor is on in the focused pane: a node, service or task."""
        pane = self._current_pane()
        if pane == "nodes":
            node = self.selected_node()
            return ("node", node.id, node.hostname) if node else None
        if pane == "tasks":
            task = self.main(TasksPane).selected()
            return ("task", task.id, task.name) if task else None
        service = self.selected_service()
        return ("service", service.id, service.name) if service else None

    def action_inspect(self) -> None:
        item = self._focused_item()
        if item is None:
            self.notify("select a node, service or task first", severity="warning")
            return
        kind, ident, name = item

        def show(text) -> None:
            self.push_screen(DefinitionScreen(f"{kind} {name} (docker {kind} inspect {name if kind != 'task' else ident})",
                                              text, f"{kind}-{name}"))

        self.fetch(f"inspect {name}", lambda client: client.definition(kind, ident), then=show)

    # ---- e: a shell in a task ------------------------------------------------------------
    def action_exec_task(self) -> None:
        task = self.main(TasksPane).selected()
        self._shell_dialog("tasks.exec", [task] if task else [])

    def action_exec_service(self) -> None:
        service = self.selected_service()
        tasks = self.snapshot.tasks if self.snapshot and service and self.tasks_scope == service.id else ()
        self._shell_dialog("services.exec", [t for t in tasks if t.service_id == service.id] if service else [])

    def _shell_dialog(self, action_id: str, candidates) -> None:
        """Which task (asked when several run) and which command, then the shell."""
        if not self.read_only_gate.check(action_id):
            return
        running = [t for t in candidates if t.state == "running" and t.container_id]
        if not running:
            self.notify("no running task there to open a shell in", severity="warning")
            return
        by_name = {f"{t.name} on {t.node_hostname}": t for t in running}
        first = next(iter(by_name))
        # id not "command": that is the app's command line, which styles.tcss hides until ":"
        fields = [Field("shell", f"Command ({SHELL_HINT})", placeholder="bash, sh, python3 ...")]
        if len(running) > 1:
            fields.insert(0, Field("task", f"Task ({len(running)} running)", choices=list(by_name)))
        spec = FormSpec(title=f"A shell in {first if len(running) == 1 else 'a task of ' + running[0].service_name}",
                        fields=fields, parse=lambda v: (by_name[v.get("task") or first], v["shell"]),
                        hint="enter: open it (the TUI comes back when the shell exits) · esc: cancel")
        self.push_screen(FormScreen(spec), lambda answer: answer and self._open_shell(action_id, *answer))

    def _open_shell(self, action_id: str, task, command: str) -> None:
        what = f"{task.name} on {task.node_hostname}"

        def run(argv) -> None:
            if not self.read_only_gate.check(action_id):
                return
            with self.suspend():
                print(f"swarmtui: {shown(argv)}\n(exit the shell to come back)", flush=True)
                code = subprocess.call(argv)
            self.notify(f"shell in {what} ended (exit {code})", title="back from the shell")
            self.request_refresh()

        nodes = self.settings.nodes
        self.fetch(f"shell in {what}", lambda client: client.shell_command(task.node_hostname, task.container_id, command,
                                                                           what, nodes), then=run)
