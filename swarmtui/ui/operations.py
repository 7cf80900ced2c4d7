"""The keys that change the swarm: each asks first where it hurts, shows the docker CLI
equivalent, and runs its SwarmClient call in a thread worker.

A mixin of SwarmApp (kept apart so app.py stays about layout and data flow); it
relies on the app's `main()`, `selected_service()`, `selected_node()`, `settings`,
`request_refresh()` and `_client()`.
"""

from __future__ import annotations

from functools import partial
from typing import Callable

from textual import work

from swarmtui.cluster import commands, definition
from swarmtui.cluster.errors import ClusterError
from swarmtui.ui.messages import OperationDone, OperationFailed
from swarmtui.ui.screens import dialogs
from swarmtui.ui.screens.confirm import ConfirmScreen
from swarmtui.ui.screens.form import FormScreen
from swarmtui.ui.widgets.tasks import TasksPane
from swarmtui.ui.widgets.timeline import Timeline


class SwarmOperations:
    # ---- operations ------------------------------------------------------------------
    def run_operation(self, what: str, method: str, *args, **kwargs) -> None:
        """Call SwarmClient.<method> in a thread; the result or error comes back as a message."""
        self._operate(what, method, args, kwargs)

    @work(thread=True, exit_on_error=False, group="operations")
    def _operate(self, what: str, method: str, args: tuple, kwargs: dict) -> None:
        try:
            with self._client() as client:
                self.post_message(OperationDone(getattr(client, method)(*args, **kwargs)))
        except ClusterError as exc:
            self.post_message(OperationFailed(what, str(exc)))
        except Exception as exc:  # noqa: BLE001
            self.post_message(OperationFailed(what, f"{type(exc).__name__}: {exc}"))

    def fetch(self, what: str, method: str, *args, then: Callable[[object], None]) -> None:
        """Read something through SwarmClient.<method> in a thread, then call `then(result)` on the UI;
        a failure is a notification (nothing changed, nothing for the timeline)."""
        self._fetch(what, method, args, then)

    @work(thread=True, exit_on_error=False, group="fetch")
    def _fetch(self, what: str, method: str, args: tuple, then: Callable[[object], None]) -> None:
        try:
            with self._client() as client:
                result = getattr(client, method)(*args)
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
    def _scale(self, service, count: int) -> None:
        if count == 0:
            self.confirm(
                f"Stop {service.name} everywhere?",
                f"All {service.replicas_running} running replicas of {service.name} stop (the service stays, at 0 replicas).",
                commands.scale(service.name, 0),
                lambda: self.run_operation(f"scale {service.name}", "scale", service.id, 0),
                yes="Stop all",
            )
        else:
            self.run_operation(f"scale {service.name}", "scale", service.id, count)

    def action_scale_up(self) -> None:
        service = self.selected_service()
        if self._need("service", service):
            self._scale(service, service.replicas_desired + 1)

    def action_scale_down(self) -> None:
        service = self.selected_service()
        if self._need("service", service) and service.replicas_desired > 0:
            self._scale(service, service.replicas_desired - 1)

    def action_scale_to(self) -> None:
        service = self.selected_service()
        if self._need("service", service):
            self.push_screen(FormScreen(dialogs.scale_form(service, self.settings.max_replicas)),
                             lambda n: n is not None and self._scale(service, n))

    def action_rolling_update(self) -> None:
        service = self.selected_service()
        if not self._need("service", service):
            return

        def submitted(req: dialogs.UpdateRequest | None) -> None:
            if req is not None:
                self.run_operation(f"update {service.name}", "update_image", service.id, req.image, req.policy)

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
                         commands.rollback(service.name), lambda: self.run_operation(f"rollback {service.name}", "rollback", service.id))

        self.fetch(f"rollback {service.name}", "rollback_changes", service.id, then=ask)

    def action_force_restart(self) -> None:
        service = self.selected_service()
        if self._need("service", service):
            self.confirm(f"Restart every replica of {service.name}?", "A rolling restart, following its update config.",
                         commands.restart(service.name), lambda: self.run_operation(f"restart {service.name}", "restart", service.id))

    def action_new_service(self) -> None:
        current = self.selected_service()
        default_image = current.image if current else ""

        def submitted(new: dialogs.NewService | None) -> None:
            if new is not None:
                self.run_operation(f"create {new.name}", "create_service", new.name, new.image, new.replicas,
                                   network=new.network, env=list(new.env), constraints=list(new.constraints), policy=new.policy)

        self.push_screen(FormScreen(dialogs.new_service_form(default_image, self.settings.max_replicas)), submitted)

    def action_remove_service(self) -> None:
        service = self.selected_service()
        if self._need("service", service):
            self.confirm(f"Remove service {service.name}?", f"Its {service.replicas_running} replicas stop and the service is deleted.",
                         commands.remove_service(service.name), lambda: self.run_operation(f"remove {service.name}", "remove_service", service.id),
                         yes="Remove")

    def action_release(self) -> None:
        from swarmtui.release.runner import release_runner
        from swarmtui.ui.screens.release import ReleaseScreen

        service = self.selected_service()
        if self._need("service", service):
            self.push_screen(ReleaseScreen(service.name, service.image, release_runner(self.settings.endpoint),
                                           registry=self.settings.registry or ""))

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
            self.action_focus_pane("logs")

    # nodes
    def _node_op(self, verb: str, method: str, *args, ask: str = "", cli: Callable[[str], str] | None = None) -> None:
        node = self.selected_node()
        if not self._need("node", node):
            return
        run = lambda: self.run_operation(f"{verb} {node.hostname}", method, node.id, *args)  # noqa: E731
        if ask:
            self.confirm(ask.format(node=node.hostname), "", cli(node.hostname) if cli else "", run, yes=verb.capitalize())
        else:
            run()

    def action_promote(self) -> None:
        self._node_op("promote", "promote", ask="Promote {node} to manager?", cli=commands.promote)

    def action_demote(self) -> None:
        self._node_op("demote", "demote", ask="Demote {node} to worker?", cli=commands.demote)

    def action_drain(self) -> None:
        self._node_op("drain", "set_availability", "drain", ask="Drain {node}? Its tasks move to other nodes.",
                      cli=partial(commands.availability, value="drain"))

    def action_pause(self) -> None:
        self._node_op("pause", "set_availability", "pause")

    def action_activate(self) -> None:
        self._node_op("activate", "set_availability", "active")

    def action_labels(self) -> None:
        node = self.selected_node()
        if not self._need("node", node):
            return

        def submitted(change: dialogs.LabelChange | None) -> None:
            if change is None:
                return
            self.run_operation(f"label {node.hostname}", "change_labels", node.id, change.add, list(change.remove))

        self.push_screen(FormScreen(dialogs.labels_form(node)), submitted)

    def action_remove_node(self) -> None:
        node = self.selected_node()
        if self._need("node", node):
            self.confirm(f"Remove {node.hostname} from the swarm?", "Only a Down node can be removed; its tasks were already rescheduled.",
                         commands.remove_node(node.hostname), lambda: self.run_operation(f"remove {node.hostname}", "remove_node", node.id),
                         yes="Remove")

    def action_node_tasks(self) -> None:
        node = self.selected_node()
        if node:
            self._set_tasks_scope(node.id, "node")
            self.main(TasksPane).clear()
            self._title_tasks()
            self.request_refresh()
            self.action_focus_pane("tasks")

    def action_bootstrap(self) -> None:
        from swarmtui.bootstrap.engine import Engine
        from swarmtui.bootstrap.manager import Manager
        from swarmtui.ui.screens.bootstrap import BootstrapScreen

        engine = Engine(lambda: Manager.connect(self.settings.endpoint))
        self.push_screen(BootstrapScreen(engine, registry=self.settings.registry or ""))

    def on_bootstrap_screen_finished(self, message) -> None:
        if self.closing or message.dry_run:
            return
        self.main(Timeline).add([f"bootstrap {label}: {result.summary()}" for label, result in message.results.items()])
        self.request_refresh()

