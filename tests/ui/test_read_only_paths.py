"""Read-only holds on every path: every dangerous action of the table, tried by its key, its `:` words,
the palette and by calling it past the entry checks (a screen opened from another screen, a dialog
button), answering yes to anything that asks — on the real lab, a real Redis and a real fresh host
as the bootstrap target. Nothing changes, and every dangerous action was tried (the count is checked
against the table, so a new one cannot be forgotten)."""

from __future__ import annotations

import dataclasses
import uuid

import pytest

from swarmtui.bootstrap.engine import Engine
from swarmtui.bootstrap.hostkeys import KnownHosts
from swarmtui.bootstrap.manager import Manager
from swarmtui.config import Settings
from swarmtui.ui.actions import DANGEROUS, PANE_SCOPES
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.screens.bootstrap import BootstrapScreen
from swarmtui.ui.screens.confirm import ConfirmScreen
from swarmtui.ui.screens.form import FormScreen
from swarmtui.ui.screens.queue_push import PushScreen
from swarmtui.ui.screens.release import ReleaseScreen
from swarmtui.ui.screens.stacks import TableView
from swarmtui.ui.sources import live as live_sources
from tests.fixtures.sshd import client_key, fresh_hosts, fresh_net  # noqa: F401 - fixtures
from tests.ui.live import cells, make_service, remove_quietly, select_service
from tests.ui.waiting import until

pytestmark = pytest.mark.lab

FILL = {"replicas": "5", "labels": "readonly=broken", "name": "ro-must-not-exist", "value": "not-a-secret",
        "parallelism": "2"}  # what a dialog's empty or default fields are answered with


# ---- what must not change ---------------------------------------------------------------------
def swarm_state(docker_client) -> dict:
    """Spec versions and specs of services and nodes; secrets, configs and networks by id."""
    return {
        "services": {s.id: (s.attrs["Version"]["Index"], s.attrs["Spec"]) for s in docker_client.services.list()},
        "nodes": {n.id: (n.attrs["Version"]["Index"], n.attrs["Spec"]) for n in docker_client.nodes.list()},
        "secrets": {s.id: s.attrs["Version"]["Index"] for s in docker_client.secrets.list()},
        "configs": {c.id: c.attrs["Version"]["Index"] for c in docker_client.configs.list()},
        "networks": sorted(n.id for n in docker_client.networks.list()),
    }


def redis_state(redis_client, prefix: str) -> dict:
    return {key: redis_client.lrange(key, 0, -1) for key in sorted(redis_client.scan_iter(match=f"{prefix}*"))}


def target_state(host, known: KnownHosts) -> dict:
    """The bootstrap target: its daemon.json, whether its Docker runs, and whether its key got pinned."""
    daemon = host.daemon_json.read_text() if host.daemon_json.exists() else None
    running = host.exec("pidof dockerd", check=False).returncode == 0
    pinned = known.own_file.read_text() if known.own_file.exists() else None
    return {"daemon.json": daemon, "dockerd": running, "pinned": pinned}


# ---- the app, read-only, on real sources ----------------------------------------------------------
@pytest.fixture
def world(lab, docker_client, redis_server, redis_client, fresh_hosts, tmp_path):  # noqa: F811 - fixtures
    prefix = f"ro{uuid.uuid4().hex[:6]}"
    redis_client.rpush(f"{prefix}:queue", *(f"https://books.example/{i}" for i in range(5)))
    redis_client.rpush(f"{prefix}:queue:processing:gone-consumer", "https://books.example/in-flight")
    name = f"ro-{uuid.uuid4().hex[:6]}"
    service = make_service(docker_client, lab, name)
    secret = docker_client.secrets.create(name=f"{name}-secret", data=b"kept")
    host = fresh_hosts.new()
    known = KnownHosts(user_file=tmp_path / "user_known_hosts", own_file=tmp_path / "swarmtui" / "known_hosts")
    settings = Settings(docker_host=lab.docker_host, redis_url=redis_server.url, registry=lab.registry, read_only=True,
                        queue_keys=(f"{prefix}:queue", f"{prefix}:queue:processing:*"))
    sources = dataclasses.replace(live_sources(settings),
                                  bootstrap=lambda: Engine(lambda: Manager.connect(lab.docker_host), known=known))
    yield SwarmApp(settings, sources=sources), name, prefix, host, known
    remove_quietly(service)
    secret.remove()
    for key in redis_client.scan_iter(match=f"{prefix}*"):
        redis_client.delete(key)


async def settled(pilot, docker_client, name: str) -> None:
    """The service's replicas running and the app showing it: its spec version no longer moves."""
    app = pilot.app
    await until(pilot, lambda: sum(t["Status"]["State"] == "running" for t in docker_client.services.get(name).tasks()) == 2,
                timeout=90, what="the test service running")
    await until(pilot, lambda: any(r[0] == name for r in cells(app.query_one("#services"))), what="the service row")
    queue = app.query_one("#queue-table")
    await until(pilot, lambda: queue.row_count >= 1, what="the watched queue key")


async def to_base(pilot) -> None:
    app = pilot.app
    while len(app.screen_stack) > 1:
        await until(pilot, lambda: app.screen.is_mounted, what="the screen mounted before it is closed")
        app.pop_screen()
        await pilot.pause()


async def reach(pilot, scope: str, name: str, prefix: str, by_key: bool):
    """Go where `scope`'s keys work; return the object holding its action methods.  A dangerous
    action in a scope this does not know fails here: say how the user reaches it."""
    app = pilot.app
    await to_base(pilot)
    if scope == "services":
        select_service(app, name)
        return app
    if scope == "nodes":
        await pilot.press("1")
        return app
    if scope == "tasks":  # the selected service's tasks
        select_service(app, name)
        await until(pilot, lambda: app.query_one("#tasks-table").row_count > 0, what="its tasks")
        await pilot.press("3")
        return app
    if scope == "queue":
        await pilot.press("5")
        table = app.query_one("#queue-table")
        table.move_cursor(row=next(i for i, r in enumerate(cells(table)) if r[0] == f"{prefix}:queue"))
        await pilot.pause()
        return app.query_one("#queue")
    if scope in ("release", "bootstrap"):  # opened past the entry check, as another screen might
        select_service(app, name)
        app.action_release() if scope == "release" else app.action_bootstrap()
        await until(pilot, lambda: isinstance(app.screen, ReleaseScreen if scope == "release" else BootstrapScreen)
                    and app.screen.is_mounted, what=f"the {scope} screen")
        return app.screen
    if scope in ("stacks", "objects"):  # views that change nothing by themselves: reached by their `:` word
        await pilot.press("colon", *("stacks" if scope == "stacks" else "secrets"), "enter")
        await until(pilot, lambda: isinstance(app.screen, TableView), what=f"the {scope} view")
        await read(pilot)  # its rows are read in a worker
        return app.screen
    raise AssertionError(f"the read-only test does not know how to reach scope {scope!r}: add it to reach()")


async def read(pilot) -> None:
    """Until the screen is mounted and every read it started in a worker has handed its result over."""
    app = pilot.app
    await until(pilot, lambda: app.screen.is_mounted and not any(w.group == "fetch" and not w.is_finished for w in app.workers),
                timeout=30, what="the screen's reads")


def asks(screen) -> bool:
    return (isinstance(screen, (ConfirmScreen, FormScreen, PushScreen, BootstrapScreen))
            or isinstance(screen, ReleaseScreen) and not screen.running)


async def answer_everything(pilot, host, refused: int, why=lambda: False) -> None:
    """Say yes to whatever asks (confirmations, forms filled in, dialog buttons) until the gate has
    refused once more than `refused` or `why()` (the app said why it stops before asking)."""
    app, gate = pilot.app, pilot.app.read_only_gate
    asked: list = []  # each screen is answered once (kept, so that no later screen reuses its id)
    stopped = lambda: len(gate.refused) > refused or why()  # noqa: E731 - one line, read twice
    for _ in range(6):
        await until(pilot, lambda: stopped() or (asks(app.screen) and app.screen.is_mounted and all(s is not app.screen for s in asked)), timeout=30,
                    what="the gate's refusal or a question")
        if stopped():
            return
        screen = app.screen
        asked.append(screen)
        if isinstance(screen, ConfirmScreen):
            await pilot.press("y")
        elif isinstance(screen, FormScreen):
            for field in screen.spec.fields:
                if field.id in FILL and not field.choices:
                    screen.query_one(f"#{field.id}").value = FILL[field.id]
            screen.action_submit()
        elif isinstance(screen, PushScreen):
            screen.query_one("#push-lines").text = "https://books.example/pushed"
            await pilot.click("#push")
        elif isinstance(screen, ReleaseScreen):
            screen.query_one("#context").value, screen.query_one("#tag").value = "sample_spider", "0.99"
            await pilot.click("#start")
        elif isinstance(screen, BootstrapScreen):
            screen.query_one("#hosts").value = host.address
            await pilot.click("#run")


async def test_read_only_refuses_every_dangerous_action_on_every_path(world, docker_client, redis_client):
    app, name, prefix, host, known = world
    gate = app.read_only_gate
    said, notify = [], gate.notify
    gate.notify = lambda text: (said.append(text), notify(text))  # what the user was told, kept past its timeout
    told, app_notify = [], app.notify
    app.notify = lambda message, *args, **kw: (told.append(str(message)), app_notify(message, *args, **kw))
    async with app.run_test(size=(160, 48)) as pilot:
        await settled(pilot, docker_client, name)
        before = (swarm_state(docker_client), redis_state(redis_client, prefix), target_state(host, known))

        # 1. each key of each dangerous action, where it is bound
        attempts = 0
        for action in DANGEROUS:
            await reach(pilot, action.scope, name, prefix, by_key=True)
            for key in action.keys.split(","):
                shown = app.screen.active_bindings.get(key.strip())
                assert shown is not None and shown.binding.id == action.id and not shown.enabled, \
                    f"{action.id}: {key} is not shown disabled in the footer"
                refused = len(gate.refused)
                await pilot.press(key.strip())
                await answer_everything(pilot, host, refused)
                assert gate.refused[refused:][:1] == [action.id], f"{action.id}: key {key} was not refused"
            attempts += 1
        assert attempts == len(DANGEROUS) and set(gate.refused) == {a.id for a in DANGEROUS}
        assert "read-only: purge is disabled" in said and "read-only: bootstrap is disabled" in said

        # 2. each `:` word of a dangerous action
        await to_base(pilot)
        worded = [a for a in DANGEROUS if a.commands]
        assert worded, ":bootstrap at least"
        for action in worded:
            for word in action.commands:
                refused = len(gate.refused)
                await pilot.press("colon", *word, "enter")
                await answer_everything(pilot, host, refused)
                assert gate.refused[refused:][:1] == [action.id], f":{word} was not refused"
                assert len(app.screen_stack) == 1, f":{word} opened a screen"

        # 3. the palette offers no dangerous action, and every other pane action
        titles = {c.title for c in app.get_system_commands(app.screen)}
        for action in (a for a in DANGEROUS if a.scope in PANE_SCOPES):
            assert not any(action.help in t for t in titles), f"the palette offers {action.id}"
        assert any("go to the nodes pane" in t for t in titles) and any("follow its logs" in t for t in titles)

        # 4. past every entry check: the action's method called directly, yes to everything it asks
        for action in DANGEROUS:
            where, method = action.method
            holder = await reach(pilot, action.scope, name, prefix, by_key=False)
            refused, notices = len(gate.refused), len(told)
            # Stopping before asking is fine when it says why (a service never updated has nothing to roll
            # back to) or when the view it acts on has no row to act on.
            no_row = isinstance(holder, TableView) and holder.selected is None and method in ("remove", "rotate")
            said_why = lambda: any("no previous spec" in t for t in told[notices:])  # noqa: E731
            getattr(holder, f"action_{method}")()
            if not no_row:  # some read first in a worker (the rollback's diff), then ask
                await answer_everything(pilot, host, refused, why=said_why)
            assert len(gate.refused) > refused or no_row or said_why(), f"{action.id} got past the gate when called directly"

        await to_base(pilot)
        await pilot.pause(2.0)  # anything that slipped through would have reached the swarm by now
        after = (swarm_state(docker_client), redis_state(redis_client, prefix), target_state(host, known))
    assert after[1] == before[1], "Redis changed"
    assert after[2] == before[2], "the bootstrap target changed"
    assert after[0] == before[0], "the swarm changed"
