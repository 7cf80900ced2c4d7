"""The :stacks and :secrets views against the real lab: deploy (the real docker CLI), stack logs,
removal, a secret typed in a hidden field, removal refused while in use, read-only mode."""

from __future__ import annotations

import secrets as token
import time
from pathlib import Path

import pytest
from textual.widgets import Input, Log

from swarmtui.cluster import objects, stacks
from swarmtui.cluster.client import SwarmClient
from swarmtui.config import Settings
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.screens.confirm import ConfirmScreen
from swarmtui.ui.screens.form import FormScreen
from swarmtui.ui.screens.live_run import LiveRunScreen
from swarmtui.ui.screens.stacks import ObjectsScreen, StacksScreen
from swarmtui.ui.widgets.footer import KeyFooter
from swarmtui.ui.widgets.logs import LogsPane
from swarmtui.ui.widgets.timeline import Timeline
from tests.fixtures.parts import need_program
from tests.ui.live import command
from tests.ui.waiting import until

pytestmark = pytest.mark.lab

STACK = """version: "3.8"
services:
  talk:
    image: ${IMAGE}
    command: ["python3", "-c", "import os, time\\nn = 0\\nwhile True:\\n    print('line', n, flush=True); n += 1; time.sleep(0.5)"]
    secrets:
      - source: pw
        target: app_password
    stop_grace_period: 1s  # a python PID 1 ignores SIGTERM: each stop would wait 10 s
    deploy:
      replicas: 2
      update_config: {parallelism: 1, order: stop-first, monitor: 1s}
secrets:
  pw:
    external: true
    name: ${SECRET}
"""


def fill(screen, **values: str) -> None:
    for field, value in values.items():
        screen.query_one(f"#{field}", Input).value = value


def shown_text(app) -> str:
    """Everything the user could have read: timeline, notifications, logs pane, the screen as SVG."""
    notes = " ".join(str(n.message) for n in app._notifications)
    return "\n".join([*app.main(Timeline).entries, notes, app.export_screenshot()])


def test_stack_deploy_logs_secret_and_remove_through_the_views(lab, unique_name, tmp_path):
    need_program("docker", "docker.io")
    stack, secret, value = unique_name, f"{unique_name}-pw", f"typed-{token.token_hex(10)}"
    compose = tmp_path / "stack.yml"
    compose.write_text(STACK)
    env = tmp_path / "stack.env"
    env.write_text(f"IMAGE={lab.registry}/spider:0.01\nSECRET={secret}\n")
    app = SwarmApp(Settings(docker_host=lab.docker_host))
    seen: list[str] = []

    async def run() -> None:
        async with app.run_test(size=(160, 48)) as pilot:
            # a secret typed into the hidden field
            await command(pilot, "secrets")
            await until(pilot, lambda: isinstance(app.screen, ObjectsScreen), what="the secrets view")
            await pilot.press("n")
            await until(pilot, lambda: isinstance(app.screen, FormScreen), what="the new secret form")
            assert app.screen.query_one("#value", Input).password
            fill(app.screen, name=secret, value=value)
            seen.append(app.export_screenshot())
            await pilot.press("enter")
            view = app.screen
            await until(pilot, lambda: any(k for k, o in view.items.items() if o.name == secret), what="the secret listed")
            seen.append(shown_text(app))

            # deploy the stack that uses it
            await command(pilot, "stacks")
            await until(pilot, lambda: isinstance(app.screen, StacksScreen), what="the stacks view")
            footer = " ".join(f"{k.key_display} {k.description}" for k in app.screen.query_one(KeyFooter).children)
            assert "Services" in footer and "esc Close" in footer and "Quit" not in footer, footer  # the view's keys, not the app's q
            await pilot.press("d")
            await until(pilot, lambda: isinstance(app.screen, FormScreen), what="the deploy form")
            fill(app.screen, file=str(compose), name=stack, env=str(env))
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the deploy confirmation")
            body = " ".join(str(w.render()) for w in app.screen.query("Static"))
            assert f"creates: {stack}_talk" in body and f"docker stack deploy -c {compose} {stack}" in body
            await pilot.press("y")
            await until(pilot, lambda: isinstance(app.screen, LiveRunScreen), what="the deploy progress")
            live = app.screen
            await until(pilot, lambda: not live.running, timeout=180, what="the deploy to finish")
            log = "\n".join(live.query_one(Log).lines)
            assert live.ok, log
            assert f"docker: Creating service {stack}_talk" in log and f"{stack}_talk: 2/2 running" in log
            seen.append(shown_text(app))
            await pilot.press("escape")
            await until(pilot, lambda: isinstance(app.screen, StacksScreen), what="back in the stacks view")
            view = app.screen
            await until(pilot, lambda: stack in view.items and view.items[stack].replicas_running == 2, what="the stack 2/2")

            # l: the whole stack's logs, both replicas
            view.query_one("DataTable").move_cursor(row=list(view.items).index(stack))
            await pilot.press("l")
            logs = app.main(LogsPane)
            await until(pilot, lambda: logs.service_name == f"stack {stack}", what="the logs pane on the stack")
            await until(pilot, lambda: len({ln.slot for ln in logs.view.lines if ln.service == f"{stack}_talk"}) == 2,
                        what="lines of both replicas")

            # a secret in use: removal refused, naming the service
            await command(pilot, "secrets")
            await until(pilot, lambda: isinstance(app.screen, ObjectsScreen), what="the secrets view")
            view = app.screen
            await until(pilot, lambda: any(o.name == secret and o.used_by for o in view.items.values()), what="its use")
            table = view.query_one("DataTable")
            table.move_cursor(row=[o.name for o in view.items.values()].index(secret))
            await pilot.press("ctrl+d")
            await pilot.pause(0.3)
            assert not isinstance(app.screen, ConfirmScreen)
            assert any(f"in use by {stack}_talk" in str(n.message) for n in app._notifications)

            # ctrl+d on the stack: confirmation lists what goes, then it is gone
            await command(pilot, "stacks")
            await until(pilot, lambda: isinstance(app.screen, StacksScreen) and stack in app.screen.items, what="the stacks view")
            view = app.screen
            view.query_one("DataTable").move_cursor(row=list(view.items).index(stack))
            await pilot.press("ctrl+d")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the removal confirmation")
            body = " ".join(str(w.render()) for w in app.screen.query("Static"))
            assert f"services: {stack}_talk" in body and f"networks: {stack}_default" in body and f"docker stack rm {stack}" in body
            await pilot.press("y")
            await until(pilot, lambda: any(e.startswith(f"stack {stack} removed") for e in app.main(Timeline).entries),
                        timeout=90, what="the removal in the timeline")
            seen.append(shown_text(app))

    import asyncio

    try:
        asyncio.run(run())
        with SwarmClient(lab.docker_host) as client:
            assert stacks.contents(client, stack).empty
        assert all(value not in text for text in seen), "the typed secret value was shown"
        saved = [p for p in Path.home().glob("*.svg")] + list(tmp_path.iterdir())
        assert all(value not in p.read_text(errors="ignore") for p in saved if p.is_file())
    finally:
        with SwarmClient(lab.docker_host) as client:
            if not stacks.contents(client, stack).empty:
                stacks.remove_stack(client, stack)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                obj = next((o for o in objects.list_objects(client, "secret") if o.name == secret), None)
                if obj is None:
                    break
                if not obj.used_by:
                    objects.remove_object(client, "secret", secret)
                    break
                time.sleep(1)


def test_read_only_refuses_deploy_create_rotate_remove(lab):
    app = SwarmApp(Settings(docker_host=lab.docker_host), read_only=True)

    async def run() -> None:
        async with app.run_test(size=(160, 48)) as pilot:
            await command(pilot, "stacks")
            await until(pilot, lambda: isinstance(app.screen, StacksScreen), what="the stacks view")
            await pilot.press("d")
            await pilot.pause(0.3)
            assert isinstance(app.screen, StacksScreen)  # no form opened
            await pilot.press("escape")
            await command(pilot, "secrets")
            await until(pilot, lambda: isinstance(app.screen, ObjectsScreen), what="the secrets view")
            await pilot.press("n")
            await pilot.pause(0.3)
            assert isinstance(app.screen, ObjectsScreen)
            app.create_object("secret")  # however it is reached: refused at the change too
            app.deploy_stack(None)
            await pilot.pause(0.3)
            assert isinstance(app.screen, ObjectsScreen)

    import asyncio

    asyncio.run(run())
    assert app.read_only_gate.refused[:2] == ["stacks.deploy", "objects.create"]
    assert {"objects.create", "stacks.deploy"} <= set(app.read_only_gate.refused[2:])


ROTATE_STACK = """version: "3.8"
services:
  app:
    image: ${IMAGE}
    command: ["python3", "-c", "import time; time.sleep(1e9)"]
    configs:
      - source: settings
        target: /etc/app.conf
    stop_grace_period: 1s  # a python PID 1 ignores SIGTERM: each stop would wait 10 s
    deploy:
      replicas: 2
      update_config: {parallelism: 1, order: stop-first, monitor: 1s}
configs:
  settings:
    external: true
    name: ${CONFIG}
"""


def test_rotate_a_config_from_its_view_shows_each_update_and_ends_on_the_new_one(lab, unique_name, tmp_path):
    need_program("docker", "docker.io")
    stack, config = unique_name, f"{unique_name}-cfg"
    compose = tmp_path / "stack.yml"
    compose.write_text(ROTATE_STACK)
    (tmp_path / "env").write_text(f"IMAGE={lab.registry}/spider:0.01\nCONFIG={config}\n")
    new_value = tmp_path / "new.conf"
    new_value.write_text("workers = 4\n")
    with SwarmClient(lab.docker_host) as client:
        objects.create_object(client, "config", config, b"workers = 2\n")
        stacks.deploy(stacks.plan_deploy(client, str(compose), stack, env_file=str(tmp_path / "env")))
        assert all(o.ok for o in stacks.wait_rollout(client, stack, [f"{stack}_app"], timeout=120))
    app = SwarmApp(Settings(docker_host=lab.docker_host))

    async def run() -> None:
        async with app.run_test(size=(160, 48)) as pilot:
            await command(pilot, "configs")
            await until(pilot, lambda: isinstance(app.screen, ObjectsScreen), what="the configs view")
            view = app.screen
            await until(pilot, lambda: any(o.name == config for o in view.items.values()), what="the config listed")
            view.query_one("DataTable").move_cursor(row=[o.name for o in view.items.values()].index(config))
            await pilot.press("r")
            await until(pilot, lambda: isinstance(app.screen, FormScreen), what="the rotate form")
            fill(app.screen, file=str(new_value))
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the rotation confirmation")
            body = " ".join(str(w.render()) for w in app.screen.query("Static"))
            assert f"--config-add source={config}.v2,target=/etc/app.conf {stack}_app" in body
            await pilot.press("y")
            await until(pilot, lambda: isinstance(app.screen, LiveRunScreen), what="the rotation progress")
            live = app.screen
            await until(pilot, lambda: not live.running, timeout=180, what="the rotation to finish")
            log = "\n".join(live.query_one(Log).lines)
            assert live.ok, log
            assert f"{stack}_app: 2/2 replicas on the new config" in log and f"config {config} removed" in log
            # the timeline hears of it by a message handled after the run ends
            await until(pilot, lambda: any(e.startswith(f"config {config} rotated to {config}.v2") for e in app.main(Timeline).entries),
                        timeout=30, what="the rotation in the timeline")

    import asyncio

    try:
        asyncio.run(run())
        with SwarmClient(lab.docker_host) as client:
            names = {o.name for o in objects.list_objects(client, "config")}
            assert config not in names and f"{config}.v2" in names
            assert objects.config_data(client, f"{config}.v2") == b"workers = 4\n"
    finally:
        with SwarmClient(lab.docker_host) as client:
            if not stacks.contents(client, stack).empty:
                stacks.remove_stack(client, stack)
            for o in objects.list_objects(client, "config"):
                if o.name.startswith(config):
                    deadline = time.monotonic() + 60
                    while objects.get_object(client, "config", o.name).used_by and time.monotonic() < deadline:
                        time.sleep(1)
                    objects.remove_object(client, "config", o.name)
