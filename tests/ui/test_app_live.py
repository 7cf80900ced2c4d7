"""The TUI against the real lab: what an operator sees and what the keys do to the swarm."""

from __future__ import annotations

import asyncio
import time

import pytest

from swarmtui.config import Settings
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.screens.confirm import ConfirmScreen
from swarmtui.ui.screens.form import FormScreen

pytestmark = pytest.mark.lab


def make_service(docker_client, lab, name: str, replicas: int = 2):
    import docker

    return docker_client.services.create(
        f"{lab.registry}/spider:0.01", name=name, networks=["host"],
        command=["python3", "-c", "import time; time.sleep(10**6)"],
        mode=docker.types.ServiceMode("replicated", replicas=replicas), stop_grace_period=1_000_000_000,
    )


def remove_quietly(service) -> None:
    import docker

    try:
        service.remove()
    except docker.errors.NotFound:
        pass


def desired(docker_client, name: str) -> int:
    service = docker_client.services.get(name)
    return service.attrs["Spec"]["Mode"]["Replicated"]["Replicas"]


async def until(pilot, predicate, timeout: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await pilot.pause(0.2)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


def cells(table) -> list[list[str]]:
    return [[str(getattr(c, "plain", c)) for c in table.get_row_at(i)] for i in range(table.row_count)]


def select_service(app, name: str) -> None:
    services = app.query_one("#services")
    row = next(i for i, r in enumerate(cells(services)) if r[0] == name)
    services.move_cursor(row=row)
    services.focus()


@pytest.fixture
def service(lab, docker_client, unique_name):
    svc = make_service(docker_client, lab, unique_name)
    yield unique_name
    remove_quietly(svc)


def app_for(lab, **kw) -> SwarmApp:
    return SwarmApp(Settings(docker_host=lab.docker_host, **kw))


async def test_panes_show_nodes_services_and_tasks_of_the_selected_service(lab, service):
    app = app_for(lab)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: any(r[0] == service for r in cells(app.query_one("#services"))), what="the service row")
        nodes = cells(app.query_one("#nodes"))
        assert sorted(r[0] for r in nodes) == ["lab-manager-1", "lab-worker-1", "lab-worker-2"]
        assert all(r[2] == "Ready" for r in nodes)
        select_service(app, service)
        tasks = app.query_one("#tasks")
        await until(pilot, lambda: sum(r[2] == "Running" for r in cells(tasks)) == 2, what="2 running tasks")
        assert sorted(r[0] for r in cells(tasks)) == [f"{service}.1", f"{service}.2"]
        assert service in str(tasks.border_title)
        assert "connected" in str(app.query_one("#status").render())


async def test_plus_scales_up_and_the_row_converges(lab, docker_client, service):
    app = app_for(lab)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: any(r[0] == service for r in cells(app.query_one("#services"))), what="the service row")
        select_service(app, service)
        await pilot.press("plus")
        await until(pilot, lambda: desired(docker_client, service) == 3, what="desired 3 in the swarm")
        services = app.query_one("#services")
        await until(pilot, lambda: [r[1] for r in cells(services) if r[0] == service] == ["3/3 ✓"], what="3/3 ✓ on screen")
        assert any(f"{service} scaled 2 → 3" in e for e in app.query_one("#timeline").entries)


async def test_scale_to_zero_asks_first_with_the_cli_command(lab, docker_client, service):
    app = app_for(lab)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: any(r[0] == service for r in cells(app.query_one("#services"))), what="the service row")
        select_service(app, service)
        await pilot.press("s")
        assert isinstance(app.screen, FormScreen)
        box = app.screen.query_one("#replicas")
        box.value = "many"
        await pilot.press("enter")
        assert "not a whole number" in str(app.screen.query_one("#error").render())
        assert isinstance(app.screen, FormScreen), "a bad count keeps the dialog open"
        box.value = "0"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert f"docker service scale {service}=0" in app.screen.cli
        await pilot.press("n")
        await pilot.pause(1.0)
        assert desired(docker_client, service) == 2, "answering no changes nothing"
        await pilot.press("s")
        app.screen.query_one("#replicas").value = "0"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await until(pilot, lambda: desired(docker_client, service) == 0, what="the service stopped everywhere")


async def test_read_only_mode_disables_keys_that_change_the_swarm(lab, docker_client, service):
    app = app_for(lab, read_only=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: any(r[0] == service for r in cells(app.query_one("#services"))), what="the service row")
        select_service(app, service)
        await pilot.press("plus", "s")
        await pilot.pause(1.0)
        assert not isinstance(app.screen, FormScreen)
        assert desired(docker_client, service) == 2
        assert "READ-ONLY" in str(app.query_one("#status").render())


async def test_filter_shows_only_matching_nodes(lab, service):
    app = app_for(lab)
    async with app.run_test(size=(160, 48)) as pilot:
        nodes = app.query_one("#nodes")
        await until(pilot, lambda: nodes.row_count == 3, what="3 nodes")
        await pilot.press("1", "slash", *"worker")
        assert sorted(r[0] for r in cells(nodes)) == ["lab-worker-1", "lab-worker-2"]
        assert "2/3" in str(nodes.border_title)
        await pilot.press("escape")
        assert nodes.row_count == 3


async def test_unreachable_manager_is_said_in_the_status_line(tmp_path):
    app = SwarmApp(Settings(docker_host=f"unix://{tmp_path}/no.sock"))
    async with app.run_test(size=(120, 30)) as pilot:
        status = app.query_one("#status")
        await until(pilot, lambda: status.connection == "reconnecting", what="reconnecting")
        text = str(status.render())
        assert "reconnecting" in text and "no.sock" in text
        assert any("lost the manager" in e for e in app.query_one("#timeline").entries)


async def test_failover_is_watched_live(lab, docker_client, unique_name):
    """A worker goes down: the nodes pane shows it Down, the timeline says so, tasks reappear elsewhere."""
    svc = make_service(docker_client, lab, unique_name, replicas=3)
    app = app_for(lab)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await until(pilot, lambda: any(r[0] == unique_name for r in cells(app.query_one("#services"))), what="row")
            select_service(app, unique_name)
            tasks = app.query_one("#tasks")
            await until(pilot, lambda: sum(r[2] == "Running" for r in cells(tasks)) == 3, 60, "3 running tasks")
            on_worker = [r[0] for r in cells(tasks) if r[1] == "lab-worker-1"]
            await asyncio.to_thread(lab.stop_node, "lab-worker-1")
            try:
                nodes = app.query_one("#nodes")
                await until(pilot, lambda: [r[2] for r in cells(nodes) if r[0] == "lab-worker-1"] == ["Down"], 40, "worker Down")
                timeline = app.query_one("#timeline")
                await until(pilot, lambda: "lab-worker-1 down" in timeline.entries, 10, "the timeline entry")

                def moved():
                    rows = cells(tasks)
                    running = [r for r in rows if r[2] == "Running"]
                    return len(running) == 3 and all(r[1] != "lab-worker-1" for r in running)

                await until(pilot, moved, 60, "the worker's tasks running elsewhere")
                if on_worker:
                    assert any(e.startswith(f"{on_worker[0]} restarted on") for e in timeline.entries), timeline.entries
            finally:
                await asyncio.to_thread(lab.start_node, "lab-worker-1")
    finally:
        remove_quietly(svc)
