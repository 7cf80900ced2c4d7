"""The keys that change the swarm: each asks first where it hurts, shows the docker CLI
equivalent, and runs its SwarmClient call in a thread worker.

A mixin of SwarmApp (kept apart so app.py stays about layout and data flow); what it needs
from the app is declared in `OperationsHost`.  Every change goes through `run_operation`, which
asks the read-only gate first with the id of the table action it carries out.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Callable, Protocol

from textual import work

from swarmtui.cluster import commands, definition
from swarmtui.cluster.errors import ClusterError
from swarmtui.cluster.models import Node, OperationResult, Service
from swarmtui.config import Settings
from swarmtui.ui.actions import Gate
from swarmtui.ui.messages import OperationDone, OperationFailed
from swarmtui.ui.screens import dialogs
from swarmtui.ui.screens.confirm import ConfirmScreen
from swarmtui.ui.screens.form import FormScreen
from swarmtui.ui.log_scope import LogScope
from swarmtui.ui.widgets.tasks import TasksPane
from swarmtui.ui.widgets.timeline import Timeline


if TYPE_CHECKING:
    from swarmtui.cluster.client import SwarmClient
    from swarmtui.ui.sources import Sources

Operation = Callable[["SwarmClient"], OperationResult]  # e.g. lambda client: client.scale(service_id, 3)


class OperationsHost(Protocol):
    """What SwarmOperations uses of the app it is mixed into (SwarmApp)."""

    settings: Settings
    sources: "Sources"
    read_only_gate: Gate

    @property
    def closing(self) -> bool: ...
    def main(self, selector, expect_type=None): ...
    def selected_service(self) -> Service | None: ...
    def selected_node(self) -> Node | None: ...
    def request_refresh(self) -> None: ...
    def _client(self) -> "SwarmClient": ...
    def _select_service(self, service_id: str | None) -> None: ...
    def _set_tasks_scope(self, scope: str, kind: str) -> None: ...
    def _title_tasks(self) -> None: ...
    def _follow_logs(self, service_id: str | None) -> None: ...
    def _follow_scope(self, scope: LogScope) -> None: ...
    def action_focus_pane(self, name: str) -> None: ...


class SwarmOperations:
    # ---- operations ------------------------------------------------------------------
    def run_operation(self: OperationsHost, action_id: str, what: str, operation: Operation) -> None:
        """The one way the swarm is changed: refused in read-only mode (whatever path led here),
        else `operation(client)` runs in a thread and its result or error comes back as a message."""
        if self.read_only_gate.check(action_id):
            self._operate(what, operation)

    @work(thread=True, exit_on_error=False, group="operations")
    def _operate(self, what: str, operation: Operation) -> None:
        try:
            with self._client() as client:
                self.post_message(OperationDone(operation(client)))
        except ClusterError as exc:
            self.post_message(OperationFailed(what, str(exc)))
        except Exception as exc:  # noqa: BLE001
            self.post_message(OperationFailed(what, f"{type(exc).__name__}: {exc}"))

    def fetch(self, what: str, read: Callable[["SwarmClient"], object], then: Callable[[object], None]) -> None:
        """`read(client)` in a thread (it changes nothing), then `then(result)` on the UI;
        a failure is a notification (nothing changed, nothing for the timeline)."""
        self._fetch(what, read, then)

    @work(thread=True, exit_on_error=False, group="fetch")
    def _fetch(self, what: str, read: Callable[["SwarmClient"], object], then: Callable[[object], None]) -> None:
        try:
            with self._client() as client:
                result = read(client)
        except Exception as exc:  # noqa: BLE001 - ClusterError or a bug: shown, never raised into the UI
            text = str(exc) if isinstance(exc, ClusterError) else f"{type(exc).__name__}: {exc}"
            self.call_from_thread(self.notify, text, title=f"{what} failed", severity="error", timeout=10)
            return
        if not self.closing:
            self.call_from_thread(then, result)

    def on_operation_done(self, message: OperationDone) -> None:
        if self.closing:
            return
        result = message.result
        self.notify(f"{result.summary}\n$ {result.cli}", title="done" if result.changed else "nothing to do")
        if self._narrate.operation_done(result):  # one timeline line per event, not the narrator's too
            self.main(Timeline).add([result.summary])
        self.request_refresh()

    def on_operation_failed(self, message: OperationFailed) -> None:
        if self.closing:
            return
        self.notify(message.error, title=f"{message.what} failed", severity="error", timeout=10)
        self.main(Timeline).add([f"{message.what} failed: {message.error}"])

    def confirm(self, title: str, body: str, cli: str, then: Callable[[], None], yes: str = "Yes") -> None:
        def answered(ok: bool | None) -> None:
            if ok:
                then()

        self.push_screen(ConfirmScreen(title, body, cli, yes_label=yes), answered)

    def _need(self, what: str, item) -> bool:
        if item is None:
            self.notify(f"select a {what} first", severity="warning")
            return False
        return True

    # services
    def _scale(self, action_id: str, service, count: int) -> None:
        scale = lambda client: client.scale(service.id, count)  # noqa: E731
        if count == 0:
            self.confirm(
                f"Stop {service.name} everywhere?",
                f"All {service.replicas_running} running replicas of {service.name} stop (the service stays, at 0 replicas).",
                commands.scale(service.name, 0),
                lambda: self.run_operation(action_id, f"scale {service.name}", scale),
                yes="Stop all",
            )
        else:
            self.run_operation(action_id, f"scale {service.name}", scale)

    def action_scale_up(self) -> None:
        service = self.selected_service()
        if self._need("service", service):
            self._scale("services.scale_up", service, service.replicas_desired + 1)

    def action_scale_down(self) -> None:
        service = self.selected_service()
        if self._need("service", service) and service.replicas_desired > 0:
            self._scale("services.scale_down", service, service.replicas_desired - 1)

    def action_scale_to(self) -> None:
        service = self.selected_service()
        if self._need("service", service):
            self.push_screen(FormScreen(dialogs.scale_form(service, self.settings.max_replicas)),
                             lambda n: n is not None and self._scale("services.scale_to", service, n))

    def action_rolling_update(self) -> None:
        service = self.selected_service()
        if not self._need("service", service):
            return

        def submitted(req: dialogs.UpdateRequest | None) -> None:
            if req is not None:
                self.run_operation("services.rolling_update", f"update {service.name}",
                                   lambda client: client.update_image(service.id, req.image, req.policy))

        self.push_screen(FormScreen(dialogs.update_form(service)), submitted)

    def action_rollback(self) -> None:
        service = self.selected_service()
        if not self._need("service", service):
            return

        def ask(changes) -> None:
            if not changes:
                self.notify(f"{service.name} has no previous spec to roll back to (it was never updated)", severity="warning")
                return
            shown = "\n".join(f"  {c.path}\n    {definition.shown(c.before)} → {definition.shown(c.after)}" for c in changes)
            self.confirm(f"Roll {service.name} back to its previous spec?",
                         f"Replicas are replaced with the previous image and settings. What changes:\n{shown}",
                         commands.rollback(service.name),
                         lambda: self.run_operation("services.rollback", f"rollback {service.name}", lambda client: client.rollback(service.id)))

        self.fetch(f"rollback {service.name}", lambda client: client.rollback_changes(service.id), then=ask)

    def action_force_restart(self) -> None:
        service = self.selected_service()
        if self._need("service", service):
            self.confirm(f"Restart every replica of {service.name}?", "A rolling restart, following its update config.",
                         commands.restart(service.name),
                         lambda: self.run_operation("services.force_restart", f"restart {service.name}", lambda client: client.restart(service.id)))

    def action_new_service(self) -> None:
        current = self.selected_service()
        default_image = current.image if current else ""

        def submitted(new: dialogs.NewService | None) -> None:
            if new is not None:
                self.run_operation("services.new_service", f"create {new.name}", lambda client: client.create_service(
                    new.name, new.image, new.replicas, network=new.network, env=list(new.env),
                    constraints=list(new.constraints), policy=new.policy))

        self.push_screen(FormScreen(dialogs.new_service_form(default_image, self.settings.max_replicas)), submitted)

    def action_remove_service(self) -> None:
        service = self.selected_service()
        if self._need("service", service):
            self.confirm(f"Remove service {service.name}?", f"Its {service.replicas_running} replicas stop and the service is deleted.",
                         commands.remove_service(service.name),
                         lambda: self.run_operation("services.remove_service", f"remove {service.name}", lambda client: client.remove_service(service.id)),
                         yes="Remove")

    def action_release(self) -> None:
        from swarmtui.ui.screens.release import ReleaseScreen

        service = self.selected_service()
        if self._need("service", service):
            self.push_screen(ReleaseScreen(service.name, service.image, self.sources.release(), registry=self.settings.registry or ""))

    def on_release_screen_finished(self, message) -> None:
        if self.closing:
            return
        self.main(Timeline).add(message.timeline_lines())
        self.request_refresh()

    def action_show_tasks(self) -> None:
        service = self.selected_service()
        if service:
            self._select_service(service.id)
            self.action_focus_pane("tasks")

    def action_show_logs(self) -> None:
        service = self.selected_service()
        if service:
            self._select_service(service.id)
            self._follow_logs(service.id)  # back from a task's or a node's logs to the whole service's
            self.action_focus_pane("logs")

    def action_task_logs(self) -> None:
        task = self.main(TasksPane).selected()
        if self._need("task", task):
            label = f"{task.name}@{task.node_hostname}" if task.node_hostname else task.name
            self._follow_scope(LogScope.task(task.id, label))
            self.action_focus_pane("logs")

    def action_node_logs(self) -> None:
        node = self.selected_node()
        if self._need("node", node):
            self._follow_scope(LogScope.node(node.id, node.hostname))
            self.action_focus_pane("logs")

    # nodes
    def _node_op(self, action_id: str, verb: str, change: Callable[["SwarmClient", str], OperationResult],
                 ask: str = "", cli: Callable[[str], str] | None = None, note: str = "") -> None:
        node = self.selected_node()
        if not self._need("node", node):
            return

        def run() -> None:
            self.run_operation(action_id, f"{verb} {node.hostname}", lambda client: change(client, node.id))
            if note:  # a slow operation: say what it waits for, so the wait is not silence
                self.notify(note.format(node=node.hostname), title=f"{verb} {node.hostname}")

        if ask:
            self.confirm(ask.format(node=node.hostname), note.format(node=node.hostname), cli(node.hostname) if cli else "", run,
                         yes=verb.capitalize())
        else:
            run()

    def action_promote(self) -> None:
        self._node_op("nodes.promote", "promote", lambda client, node: client.promote(node),
                      ask="Promote {node} to manager?", cli=commands.promote)

    def action_demote(self) -> None:
        node = self.selected_node()
        joining = node is not None and node.role == "manager" and node.manager_reachability is None
        self._node_op("nodes.demote", "demote", lambda client, node: client.demote(node),
                      ask="Demote {node} to worker?", cli=commands.demote,
                      note="{node} is still joining the managers: it is demoted as soon as it has joined" if joining else "")

    def action_drain(self) -> None:
        self._node_op("nodes.drain", "drain", lambda client, node: client.set_availability(node, "drain"),
                      ask="Drain {node}? Its tasks move to other nodes.", cli=partial(commands.availability, value="drain"))

    def action_pause(self) -> None:
        self._node_op("nodes.pause", "pause", lambda client, node: client.set_availability(node, "pause"))

    def action_activate(self) -> None:
        self._node_op("nodes.activate", "activate", lambda client, node: client.set_availability(node, "active"))

    def action_labels(self) -> None:
        node = self.selected_node()
        if not self._need("node", node):
            return

        def submitted(change: dialogs.LabelChange | None) -> None:
            if change is None:
                return
            self.run_operation("nodes.labels", f"label {node.hostname}",
                               lambda client: client.change_labels(node.id, change.add, list(change.remove)))

        self.push_screen(FormScreen(dialogs.labels_form(node)), submitted)

    def action_remove_node(self) -> None:
        node = self.selected_node()
        if self._need("node", node):
            self.confirm(f"Remove {node.hostname} from the swarm?", "Only a Down node can be removed; its tasks were already rescheduled.",
                         commands.remove_node(node.hostname),
                         lambda: self.run_operation("nodes.remove_node", f"remove {node.hostname}", lambda client: client.remove_node(node.id)),
                         yes="Remove")

    def action_node_tasks(self) -> None:
        node = self.selected_node()
        if node:
            self._follow_scope(LogScope.node(node.id, node.hostname))
            self._set_tasks_scope(node.id, "node")
            self.main(TasksPane).clear()
            self._title_tasks()
            self.request_refresh()
            self.action_focus_pane("tasks")

    def action_bootstrap(self) -> None:
        from swarmtui.ui.screens.bootstrap import BootstrapScreen

        self.push_screen(BootstrapScreen(self.sources.bootstrap(), registry=self.settings.registry or ""))

    def on_bootstrap_screen_finished(self, message) -> None:
        if self.closing or message.dry_run:
            return
        self.main(Timeline).add([f"bootstrap {label}: {result.summary()}" for label, result in message.results.items()])
        self.request_refresh()

