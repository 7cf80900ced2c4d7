"""The TUI against the real lab: what an operator sees and what the keys do to the swarm."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from swarmtui.cluster.client import SwarmClient
from swarmtui.config import Settings
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.screens.confirm import ConfirmScreen
from swarmtui.ui.screens.form import FormScreen
from tests.ui.live import app_for, cells, desired, make_service, node_spec, remove_quietly, select_node, select_service
from tests.ui.waiting import until

pytestmark = pytest.mark.lab


async def test_panes_show_nodes_services_and_tasks_of_the_selected_service(lab, service):
    app = app_for(lab)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: any(r[0] == service for r in cells(app.query_one("#services"))), what="the service row")
        nodes = cells(app.query_one("#nodes"))
        assert sorted(r[0] for r in nodes) == ["lab-manager-1", "lab-worker-1", "lab-worker-2"]
        assert all(r[2] == "Ready" for r in nodes)
        select_service(app, service)
        tasks = app.query_one("#tasks-table")
        await until(pilot, lambda: sum(r[2] == "Running" for r in cells(tasks)) == 2, what="2 running tasks")
        assert sorted(r[0] for r in cells(tasks)) == [f"{service}.1", f"{service}.2"]
        assert service in str(app.query_one("#tasks").border_title)  # the pane around the table
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


class EngineWatch:
    """Polls the engine itself (its own client, its own thread) and notes when a condition first held."""

    def __init__(self, lab, condition) -> None:
        self.lab, self.condition, self.when = lab, condition, None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with self.lab.client(timeout=5) as client:
            while not self._stop.is_set() and self.when is None:
                try:
                    if self.condition(client):
                        self.when = time.monotonic()
                except Exception:  # noqa: BLE001 - the manager may be busy during failover
                    pass
                time.sleep(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)


def engine_node_down(hostname):
    return lambda client: any(n.attrs["Description"]["Hostname"] == hostname and n.attrs["Status"]["State"] == "down"
                              for n in client.nodes.list())


def engine_tasks_moved(service, away_from_node_id, count):
    def moved(client):
        tasks = client.api.tasks(filters={"service": service, "desired-state": "running"})
        running = [t for t in tasks if t["Status"]["State"] == "running"]
        return len(running) == count and all(t.get("NodeID") != away_from_node_id for t in running)
    return moved


async def test_failover_is_watched_live(lab, docker_client, unique_name):
    """A worker goes down: within 2 s of the engine knowing, the nodes pane shows it Down, the
    timeline says so, and its tasks show running on the other nodes."""
    svc = make_service(docker_client, lab, unique_name, replicas=3)
    worker_id = next(n.id for n in docker_client.nodes.list() if n.attrs["Description"]["Hostname"] == "lab-worker-1")
    app = app_for(lab)
    try:
        async with app.run_test(size=(160, 48)) as pilot:
            await until(pilot, lambda: any(r[0] == unique_name for r in cells(app.query_one("#services"))), what="row")
            select_service(app, unique_name)
            tasks = app.query_one("#tasks-table")
            await until(pilot, lambda: sum(r[2] == "Running" for r in cells(tasks)) == 3, 60, "3 running tasks")
            on_worker = [r[0] for r in cells(tasks) if r[1] == "lab-worker-1"]
            nodes = app.query_one("#nodes")
            timeline = app.query_one("#timeline")
            with EngineWatch(lab, engine_node_down("lab-worker-1")) as down, \
                    EngineWatch(lab, engine_tasks_moved(unique_name, worker_id, 3)) as moved:
                stopping = asyncio.create_task(asyncio.to_thread(lab.stop_node, "lab-worker-1"))
                try:
                    await until(pilot, lambda: [r[2] for r in cells(nodes) if r[0] == "lab-worker-1"] == ["Down"], 40, "worker Down")
                    pane_down = time.monotonic()
                    await until(pilot, lambda: "lab-worker-1 down" in timeline.entries, 10, "the timeline entry")

                    def pane_moved():
                        running = [r for r in cells(tasks) if r[2] == "Running"]
                        return len(running) == 3 and all(r[1] != "lab-worker-1" for r in running)

                    await until(pilot, pane_moved, 60, "the worker's tasks running elsewhere")
                    pane_moved_at = time.monotonic()
                    if on_worker:
                        assert any(e.startswith(f"{on_worker[0]} restarted on") for e in timeline.entries), timeline.entries
                finally:
                    await stopping
                    await asyncio.to_thread(lab.start_node, "lab-worker-1")
            assert down.when is not None and moved.when is not None
            assert pane_down - down.when < 2.0, f"Down shown {pane_down - down.when:.1f}s after the engine knew"
            assert pane_moved_at - moved.when < 2.0, f"moved tasks shown {pane_moved_at - moved.when:.1f}s after the engine"
    finally:
        remove_quietly(svc)


async def test_minus_and_scale_to_five(lab, docker_client, service):
    app = app_for(lab)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: any(r[0] == service for r in cells(app.query_one("#services"))), what="the service row")
        select_service(app, service)
        await pilot.press("minus")
        await until(pilot, lambda: desired(docker_client, service) == 1, what="desired 1")
        await pilot.press("s")
        app.screen.query_one("#replicas").value = "5"
        await pilot.pause()
        assert f"docker service scale {service}=5" in str(app.screen.query_one("#cli").render())
        await pilot.press("enter")
        await until(pilot, lambda: desired(docker_client, service) == 5, what="desired 5")
        services = app.query_one("#services")
        await until(pilot, lambda: [r[1] for r in cells(services) if r[0] == service] == ["5/5 ✓"], 60, "5/5 ✓ on screen")


async def test_drain_activate_promote_demote_change_the_node(lab, docker_client):
    app = app_for(lab)
    node = "lab-worker-2"
    async with app.run_test(size=(160, 48)) as pilot:
        nodes = app.query_one("#nodes")
        await until(pilot, lambda: nodes.row_count == 3, what="3 nodes")
        try:
            select_node(app, node)
            await pilot.press("d")
            assert isinstance(app.screen, ConfirmScreen) and app.screen.cli == f"docker node update --availability drain {node}"
            await pilot.press("y")
            await until(pilot, lambda: node_spec(docker_client, node)["Availability"] == "drain", what="drained")
            await until(pilot, lambda: [r[3] for r in cells(nodes) if r[0] == node] == ["Drain"], what="Drain on screen")
            await pilot.press("a")
            await until(pilot, lambda: node_spec(docker_client, node)["Availability"] == "active", what="active again")
            await pilot.press("P", "y")
            await until(pilot, lambda: node_spec(docker_client, node)["Role"] == "manager", what="promoted")
            await until(pilot, lambda: [r[1] for r in cells(nodes) if r[0] == node] == ["manager"], what="manager on screen")
            # D right after P: the node may still be joining raft (seconds, half a minute when it was a manager
            # before); the engine refuses to demote it until then, so the app waits for the join and says so.
            joining_on_screen = [r[4] for r in cells(nodes) if r[0] == node] == [""]
            await pilot.press("D")
            assert isinstance(app.screen, ConfirmScreen) and app.screen.cli == f"docker node demote {node}"
            assert ("still joining the managers" in app.screen.body) == joining_on_screen
            await pilot.press("y")
            timeline = app.query_one("#timeline")
            await until(pilot, lambda: any(f"{node} demoted to worker" in e or "demote" in e and "failed" in e for e in timeline.entries),
                        150, "the demotion's outcome in the timeline")
            assert not [e for e in timeline.entries if "failed" in e]
            assert node_spec(docker_client, node)["Role"] == "worker"
            assert any(f"{node} promoted to manager" in e for e in timeline.entries)
        finally:  # leave the shared lab as it was, whatever happened (demote waits for a join in progress)
            with SwarmClient(lab.docker_host) as swarm:
                swarm.set_availability(node, "active")
                swarm.demote(node)


async def test_rolling_update_shows_progress_until_completed(lab, docker_client, service):
    app = app_for(lab)
    async with app.run_test(size=(160, 48)) as pilot:
        services = app.query_one("#services")
        await until(pilot, lambda: any(r[0] == service for r in cells(services)), what="the service row")
        select_service(app, service)
        await pilot.press("u")
        assert isinstance(app.screen, FormScreen)
        app.screen.query_one("#image").value = f"{lab.registry}/spider:0.02"
        app.screen.query_one("#delay").value = "1"
        await pilot.press("enter")
        seen = set()
        labels = [str(c.label) for c in services.columns.values()]  # by name: panes gain columns
        update, tag = labels.index("UPDATE"), labels.index("TAG")

        def update_cell():
            row = [r for r in cells(services) if r[0] == service]
            seen.add(row[0][update] if row else "")
            return row and row[0][update].startswith("completed") and row[0][tag] == "0.02"

        await until(pilot, update_cell, 90, "update completed on screen")
        assert any(s.startswith("updating") for s in seen), f"never saw the update in progress: {seen}"
        spec = docker_client.services.get(service).attrs["Spec"]
        assert spec["TaskTemplate"]["ContainerSpec"]["Image"].startswith(f"{lab.registry}/spider:0.02")
        assert spec["UpdateConfig"]["Delay"] == 1_000_000_000
        assert any(f"update of {service} completed" in e for e in app.query_one("#timeline").entries)


async def test_command_palette_offers_the_swarm_actions(lab):
    app = app_for(lab)
    async with app.run_test(size=(160, 48)):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "services: scale the service up by one" in titles
        assert "nodes: drain: move its tasks elsewhere" in titles
        assert "go to the queue pane" in titles
    read_only = app_for(lab, read_only=True)
    async with read_only.run_test(size=(160, 48)):
        assert not any("scale" in c.title for c in read_only.get_system_commands(read_only.screen))


async def test_manager_restart_mid_session_is_survived(lab, service):
    app = app_for(lab)
    async with app.run_test(size=(160, 48)) as pilot:
        status = app.query_one("#status")
        await until(pilot, lambda: status.connection == "connected", what="connected")
        await asyncio.to_thread(lab.stop_node, "lab-manager-1")
        try:
            await until(pilot, lambda: status.connection == "reconnecting", 30, "reconnecting shown")
        finally:
            await asyncio.to_thread(lab.start_node, "lab-manager-1")
        await until(pilot, lambda: status.connection == "connected", 60, "connected again by itself")
        await until(pilot, lambda: any(r[0] == service for r in cells(app.query_one("#services"))), 30, "service row back")
        assert any("back in touch with the manager" in e for e in app.query_one("#timeline").entries)
