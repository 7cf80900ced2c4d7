"""Stacks, secrets and configs in the TUI: the views' data and every change they make.

A mixin of SwarmApp, like SwarmOperations: reads go through `fetch` (a worker), changes through
the read-only gate with the id of the table action they carry out, then a confirmation showing
the docker CLI equivalent, then `run_operation` or a LiveRunScreen for the long ones (deploy,
rotate).  A typed secret value lives only in the closure that sends it: it is put in no message,
notification, timeline line or CLI equivalent (`docker secret create NAME -`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from swarmtui.cluster import commands, objects, stacks
from swarmtui.cluster.models import Stack, SwarmObject
from swarmtui.ui.screens.confirm import ConfirmScreen
from swarmtui.ui.screens.form import Field, FormScreen, FormSpec
from swarmtui.ui.screens.live_run import LiveRunScreen
from swarmtui.ui.screens.contexts import ContextsScreen
from swarmtui.ui.screens.stacks import ObjectsScreen, StacksScreen
from swarmtui.ui.widgets.timeline import Timeline

DEFAULT_STACK_FILE = "sample_spider/stack.yml"


def _value_from(values: dict[str, str], kind: str) -> tuple[bytes, str | None]:
    """(data, file or None) from a form with a hidden `value` field and a `file` field: exactly one."""
    typed, path = values.get("value", ""), values.get("file", "")
    if bool(typed) == bool(path):
        raise ValueError(f"Type the {kind}'s value or give a file, not both.")
    if typed:
        return typed.encode(), None
    try:
        return Path(path).expanduser().read_bytes(), path
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror}).") from exc


class StackOperations:
    # ---- the views ------------------------------------------------------------------------
    def action_open_view(self, which: str) -> None:
        self.push_screen(StacksScreen() if which == "stacks" else ObjectsScreen(which))

    def load_view(self, view) -> None:
        """Read what `view` shows in a worker and hand it over (a refresh after each change too)."""
        if isinstance(view, ContextsScreen):
            self._probe_contexts(view)
        elif isinstance(view, StacksScreen):
            self.fetch("stacks", stacks.stacks, then=view.show)
        else:
            self.fetch(f"{view.kind}s", lambda client: objects.list_objects(client, view.kind), then=view.show)

    def _reload_views(self) -> None:
        for screen in self.screen_stack:
            if isinstance(screen, (StacksScreen, ObjectsScreen)):
                self.load_view(screen)

    def on_live_run_screen_finished(self, message: LiveRunScreen.Finished) -> None:
        self.main(Timeline).add(message.lines)
        self._reload_views()
        self.request_refresh()

    # ---- stacks ---------------------------------------------------------------------------
    def narrow_to_stack(self, stack: Stack) -> None:
        from swarmtui.ui.widgets.services import ServicesTable

        self.pop_screen()
        pane = self.main(ServicesTable)
        pane.narrow(stack.name)
        self.action_focus_pane("services")

    def follow_stack_logs(self, stack: Stack) -> None:
        from swarmtui.ui.widgets.logs import LogsPane

        self.pop_screen()
        self.logs_stack = stack.name
        self.main(LogsPane).follow_service(None, f"stack {stack.name}")
        self.action_focus_pane("logs")

    def deploy_stack(self, current: Stack | None) -> None:
        if not self.read_only_gate.check("stacks.deploy"):
            return

        def parse(v: dict[str, str]) -> tuple[str, str, str | None]:
            if not v["file"]:
                raise ValueError("Give the compose file.")
            if not Path(v["file"]).expanduser().is_file():
                raise ValueError(f"{v['file']}: no such file.")
            try:
                stacks.check_stack_name(v["name"])
            except Exception as exc:  # InvalidInput: its words
                raise ValueError(str(exc)) from exc
            if v["env"] and not Path(v["env"]).expanduser().is_file():
                raise ValueError(f"{v['env']}: no such env file.")
            return v["file"], v["name"], v["env"] or None

        default_file = DEFAULT_STACK_FILE if Path(DEFAULT_STACK_FILE).is_file() else ""
        spec = FormSpec(
            "Deploy a stack (docker stack deploy)",
            [Field("file", "Compose file", default_file, placeholder="stack.yml"),
             Field("name", "Stack name", current.name if current else "", placeholder="crawl"),
             Field("env", "Env file for ${VARIABLES} (optional; KEY=VALUE lines)", placeholder="crawl.env")],
            parse, cli=lambda r: commands.stack_deploy(r[0], r[1], r[2]),
            hint="enter: check the file (nothing is deployed yet) · esc: cancel")
        self.push_screen(FormScreen(spec), lambda r: r is not None and self._plan_deploy(*r))

    def _plan_deploy(self, compose_file: str, name: str, env_file: str | None) -> None:
        def ask(plan: stacks.DeployPlan) -> None:
            body = "\n".join([f"from {plan.compose_file}" + (f" with the variables of {env_file}" if env_file else ""),
                              *plan.lines()]) or "the file has no services"
            self._confirm_then(f"Deploy stack {name}?", body, plan.cli, "Deploy",
                               lambda: self._run_deploy(plan))

        self.fetch(f"deploy {name}", lambda client: stacks.plan_deploy(client, compose_file, name, env_file=env_file), then=ask)

    def _run_deploy(self, plan: stacks.DeployPlan) -> None:
        if not self.read_only_gate.check("stacks.deploy"):
            return

        def run(say):
            result = stacks.deploy(plan, say=lambda line: say(f"docker: {line}"))
            with self._client() as client:
                outcomes = stacks.wait_rollout(client, plan.stack, plan.creates + plan.updates, say=say)
            failed = [o.how for o in outcomes if not o.ok]
            if failed:
                from swarmtui.cluster.errors import EngineRefused

                raise EngineRefused(f"stack {plan.stack} deployed, but " + "; ".join(failed))
            return result

        self.push_screen(LiveRunScreen(f"Deploying stack {plan.stack}", f"$ {plan.cli}", run, f"deploy of {plan.stack}"))

    def remove_stack(self, stack: Stack) -> None:
        if not self.read_only_gate.check("stacks.remove"):
            return

        def ask(contents) -> None:
            body = "Everything labelled with the stack goes:\n" + "\n".join(f"  {line}" for line in contents.lines())
            self._confirm_then(f"Remove stack {stack.name}?", body, commands.stack_rm(stack.name), "Remove",
                               lambda: self._run_change("stacks.remove", f"remove stack {stack.name}",
                                                        lambda client: stacks.remove_stack(client, stack.name)))

        self.fetch(f"remove {stack.name}", lambda client: stacks.contents(client, stack.name), then=ask)

    # ---- secrets and configs ------------------------------------------------------------------
    def create_object(self, kind: str) -> None:
        if not self.read_only_gate.check("objects.create"):
            return

        def parse(v: dict[str, str]):
            try:
                objects.check_name(v["name"], kind)
            except Exception as exc:
                raise ValueError(str(exc)) from exc
            data, source = _value_from(v, kind)
            return v["name"], data, source

        spec = FormSpec(
            f"New {kind}",
            [Field("name", "Name", placeholder="redis_password"),
             Field("value", "Value (typed, never shown)", password=True),
             Field("file", "or a file", placeholder="/path/to/file")],
            parse, cli=lambda r: commands.object_create(kind, r[0], r[2]),
            hint="the value goes to the Engine only · enter: create · esc: cancel")

        def submitted(r) -> None:
            if r is not None:
                name, data, source = r
                self._run_change("objects.create", f"create {kind} {name}",
                                 lambda client: objects.create_object(client, kind, name, data, source))

        self.push_screen(FormScreen(spec), submitted)

    def rotate_object(self, obj: SwarmObject) -> None:
        if not self.read_only_gate.check("objects.rotate"):
            return
        kind = obj.kind
        spec = FormSpec(
            f"Rotate {kind} {obj.name}",
            [Field("value", "New value (typed, never shown)", password=True), Field("file", "or a file")],
            lambda v: _value_from(v, kind), hint="enter: next (asks first) · esc: cancel")

        def submitted(r) -> None:
            if r is None:
                return
            data, source = r
            uses = [(u.service_name, [objects._cli_target(u.target)]) for u in obj.used_by]
            listed = self.screen.items.values() if isinstance(self.screen, ObjectsScreen) else ()
            new = objects.next_name(obj.name, [o.name for o in listed])
            users = objects.describe_uses(obj.used_by) or "no service"
            body = (f"Creates a new {kind} ({new} or the next free version), updates each service using {obj.name} to it at the "
                    f"same target — one rolling update at a time, by each service's update config — and removes {obj.name} once "
                    f"every update completed. If one fails or rolls back, it stops and keeps both.\nUsed by: {users}")
            self._confirm_then(f"Rotate {kind} {obj.name}?", body, commands.rotation(kind, obj.name, new, source, uses), "Rotate",
                               lambda: self._run_rotation(obj, data, source))

        self.push_screen(FormScreen(spec), submitted)

    def _run_rotation(self, obj: SwarmObject, data: bytes, source: str | None) -> None:
        if not self.read_only_gate.check("objects.rotate"):
            return

        def run(say):
            with self._client() as client:
                return objects.rotate_object(client, obj.kind, obj.name, data, source, say=say)

        self.push_screen(LiveRunScreen(f"Rotating {obj.kind} {obj.name}", objects.describe_uses(obj.used_by) or "no service uses it",
                                       run, f"rotation of {obj.kind} {obj.name}"))

    def remove_object(self, obj: SwarmObject) -> None:
        if not self.read_only_gate.check("objects.remove"):
            return
        if obj.used_by:  # refused at once, naming the services (the cluster layer refuses it too)
            self.notify(f"{obj.kind} {obj.name} is in use by {objects.describe_uses(obj.used_by)}: remove it from them first, or rotate it",
                        title="not removed", severity="error", timeout=10)
            return
        self._confirm_then(f"Remove {obj.kind} {obj.name}?", "Nothing uses it.", commands.object_rm(obj.kind, [obj.name]), "Remove",
                           lambda: self._run_change("objects.remove", f"remove {obj.kind} {obj.name}",
                                                    lambda client: objects.remove_object(client, obj.kind, obj.name)))

    # ---- helpers ----------------------------------------------------------------------------
    def _confirm_then(self, title: str, body: str, cli: str, yes: str, then: Callable[[], None]) -> None:
        self.push_screen(ConfirmScreen(title, body, cli, yes_label=yes), lambda ok: ok and then())

    def _run_change(self, action_id: str, what: str, operation) -> None:
        def done(client):
            result = operation(client)
            self.call_from_thread(self._reload_views)
            return result

        self.run_operation(action_id, what, done)
