"""Diagnosing a sick crawler in the TUI, against the real lab: crash loops with the engine's error,
pending reasons, the rollback diff, node capacity from reservations."""

from __future__ import annotations

import docker
import pytest

from swarmtui.ui.screens.confirm import ConfirmScreen
from swarmtui.ui.widgets.tasks import TasksPane
from tests.ui.live import app_for, cells, remove_quietly, select_service
from tests.ui.waiting import until

pytestmark = pytest.mark.lab
SECOND = 1_000_000_000


def create(docker_client, lab, name: str, command: list[str], tag: str = "0.01", **kwargs):
    kwargs.setdefault("mode", docker.types.ServiceMode("replicated", replicas=1))
    return docker_client.services.create(f"{lab.registry}/spider:{tag}", name=name, command=command,
                                         stop_grace_period=SECOND, **kwargs)


SLEEP = ["python3", "-c", "import time; time.sleep(10**6)"]


@pytest.fixture
def services(docker_client):
    made = []
    yield made
    for svc in made:
        remove_quietly(svc)


def row(table, name: str) -> list[str] | None:
    return next((r for r in cells(table) if r[0] == name), None)


def cell(table, name: str, column: str) -> str:
    """The cell of row `name` in the column keyed `column` ("" while there is no such row)."""
    found = row(table, name)
    return found[[k.value for k in table.columns].index(column)] if found else ""


class Failures:
    """IDs of the service's failed tasks seen so far (the engine keeps only the last few per slot)."""

    def __init__(self, docker_client, name: str) -> None:
        self.docker_client, self.name, self.seen = docker_client, name, set()

    def count(self) -> int:
        tasks = self.docker_client.api.tasks(filters={"service": self.name})
        self.seen |= {t["ID"] for t in tasks if t["Status"]["State"] == "failed"}
        return len(self.seen)


async def test_a_crash_loop_is_marked_failing_and_told_once(lab, docker_client, unique_name, services):
    services.append(create(docker_client, lab, unique_name, ["python3", "-c", "import sys; sys.exit(3)"], networks=["host"],
                           restart_policy=docker.types.RestartPolicy(condition="on-failure", delay=SECOND)))
    app = app_for(lab)
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.query_one("#services")
        failures = Failures(docker_client, unique_name)
        await until(pilot, lambda: failures.count() >= 0 and cell(table, unique_name, "health").startswith("failing: exit 3 ×"),
                    90, "the service marked failing: exit 3")
        seen = failures.count()
        await until(pilot, lambda: failures.count() >= seen + 2, 90, "two more restarts")
        await pilot.pause(1.5)  # a refresh or two after them
        alert = f"warning: {unique_name} is crash-looping — failing: exit 3 ×"
        await until(pilot, lambda: any(e.startswith(alert) for e in app.main("#timeline").entries), 30, "the crash_loop alert")
        entries = [e for e in app.main("#timeline").entries if unique_name in e]
        alerted = [e for e in entries if e.startswith(f"warning: {unique_name} is crash-looping")]  # the watcher's, by the same rule
        said = [e for e in entries if e not in alerted]
        loops = [e for e in said if "failing" in e]
        assert loops == [f"{unique_name} failing: exit 3 ×{loops[0].split('×')[1].split(' ')[0]} in "
                         f"{loops[0].split(' in ')[1].split(' ')[0]} (task: non-zero exit (3))"], said
        assert said.index(loops[0]) == len(said) - 1, f"restarts narrated after the loop was seen: {said}"
        assert len(alerted) == 1 and alerted[0].endswith("(last: task: non-zero exit (3))"), alerted


async def test_a_task_that_cannot_be_placed_says_why(lab, docker_client, unique_name, services):
    services.append(create(docker_client, lab, unique_name, SLEEP, constraints=["node.labels.swarmtui-nowhere==1"]))
    app = app_for(lab)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: row(app.query_one("#services"), unique_name) is not None, what="the service row")
        select_service(app, unique_name)
        pane = app.main(TasksPane)
        why = "no suitable node (scheduling constraints not satisfied on 3 nodes)"
        await until(pilot, lambda: (row(pane.table, f"{unique_name}.1") or [""] * 8)[-1] == why, 60, "the pending reason")
        assert row(pane.table, f"{unique_name}.1")[2] == "Pending"
        pane.table.focus()
        await pilot.pause(0.3)
        detail = str(pane.query_one("#task-detail").render())
        assert f"pending: {why}" in detail and "desired running" in detail, detail


async def test_the_rollback_confirmation_shows_what_changes(lab, docker_client, unique_name, services):
    svc = create(docker_client, lab, unique_name, SLEEP, env=["REDIS_PASSWORD=hunter2"])
    services.append(svc)
    svc.update(image=f"{lab.registry}/spider:0.02")
    app = app_for(lab)
    async with app.run_test(size=(160, 48)) as pilot:
        await until(pilot, lambda: cell(app.query_one("#services"), unique_name, "tag") == "0.02", 60,
                    "the service at 0.02")
        select_service(app, unique_name)
        await pilot.press("R")
        await until(pilot, lambda: isinstance(app.screen, ConfirmScreen), 20, "the rollback confirmation")
        body = app.screen.body
        assert f"TaskTemplate.ContainerSpec.Image\n    {lab.registry}/spider:0.02 → {lab.registry}/spider:0.01" in body, body
        assert "REDIS_PASSWORD" not in body and "hunter2" not in body  # unchanged, so not listed
        await pilot.press("n")
        await pilot.pause(0.5)
    spec = docker_client.services.get(unique_name).attrs["Spec"]
    assert spec["TaskTemplate"]["ContainerSpec"]["Image"].startswith(f"{lab.registry}/spider:0.02")  # "no" changed nothing


async def test_node_capacity_counts_the_reservations_placed_on_it(lab, docker_client, unique_name, services):
    services.append(create(docker_client, lab, unique_name, SLEEP, constraints=["node.hostname==lab-worker-2"],
                           resources=docker.types.Resources(cpu_reservation=int(0.5 * SECOND), mem_reservation=1 << 30,
                                                            mem_limit=2 << 30)))
    app = app_for(lab)
    async with app.run_test(size=(160, 48)) as pilot:
        nodes = app.query_one("#nodes")

        await until(pilot, lambda: cell(nodes, "lab-worker-2", "cpu").startswith("0.5/")
                    and cell(nodes, "lab-worker-2", "memory").startswith("1G/"), 60, "0.5 CPU and 1G reserved on lab-worker-2")
        assert cell(nodes, "lab-worker-2", "limits") == "2G"
        assert cell(nodes, "lab-worker-1", "cpu").startswith("0/")
        assert "reserved 0.5/" in str(app.main("#status").render())
