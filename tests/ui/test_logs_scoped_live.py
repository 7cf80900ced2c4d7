"""Scoped logs in the TUI against the real lab: the keys an operator presses (enter/l on a task,
l on a node, l on a service), what the logs pane then holds, and ctrl+s."""

from __future__ import annotations

import collections

import pytest

from swarmtui.config import Settings
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.widgets.logs import LogsPane, replica_label, strip_ansi
from tests.integration.test_log_stream import create_writer, wait_running
from tests.ui.waiting import until

pytestmark = pytest.mark.lab


def numbers_by_task(lines, service: str) -> dict[str, list[int]]:
    out: dict[str, list[int]] = collections.defaultdict(list)
    for line in lines:
        if line.service == service:
            out[line.task_id].append(int(line.text.split()[1]))
    return out


def complete(lines, service: str, tasks: set[str], at_least: dict[str, int]) -> bool:
    """Every task of the scope shown from its first line, none twice, none skipped, and at least
    as far as it was seen in an earlier scope (a switch must not lose the history)."""
    seen = numbers_by_task(lines, service)
    return set(seen) == tasks and all(
        n == list(range(len(n))) and len(n) >= at_least.get(t, 1) for t, n in seen.items())


async def press_on_row(pilot, table, key: str, row_key: str) -> None:
    table.move_cursor(row=table.get_row_index(row_key))
    table.focus()
    await pilot.pause()
    await pilot.press(key)


async def test_task_node_and_service_scopes_switched_ten_times_lose_and_repeat_nothing(lab, docker_client, unique_name,
                                                                                       tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))  # where ctrl+s proposes to save
    service = create_writer(docker_client, lab, unique_name, 3, 10**9, pause=0.3, forever=True, spread=True)
    try:
        tasks = {t["ID"]: t for t in wait_running(docker_client, service, 3)}
        hostnames = {n["ID"]: n["Description"]["Hostname"] for n in docker_client.api.nodes()}
        app = SwarmApp(Settings(docker_host=lab.docker_host))
        async with app.run_test(size=(160, 48)) as pilot:
            services, table = app.query_one("#services"), app.query_one("#tasks-table")
            nodes = app.query_one("#nodes")
            await until(pilot, lambda: service.id in services.rows, what="the service row")
            await press_on_row(pilot, services, "l", service.id)
            await until(pilot, lambda: set(tasks) <= set(table.rows), what="the three tasks")
            pane = app.query_one(LogsPane)
            await pilot.press("T", "ctrl+u", *"all", "enter")  # every scope from each replica's first line
            await until(pilot, lambda: pane.tail == "all", what="tail all")
            order = sorted(tasks, key=lambda t: tasks[t]["Slot"])
            # (how, the tasks whose lines the pane must hold, what its title ends with)
            steps = [("task", order[0]), ("node", order[1]), ("service", None), ("task", order[2]), ("node", order[0]),
                     ("task", order[1]), ("service", None), ("node", order[2]), ("task", order[0]), ("service", None)]
            furthest: dict[str, int] = {}
            for i, (how, task_id) in enumerate(steps):
                if how == "task":
                    await press_on_row(pilot, table, "enter" if i % 2 else "l", task_id)
                    wanted, title = {task_id}, f"task {unique_name}.{tasks[task_id]['Slot']}@"
                elif how == "node":
                    node_id = tasks[task_id]["NodeID"]
                    await press_on_row(pilot, nodes, "l", node_id)
                    wanted, title = {t for t in tasks if tasks[t]["NodeID"] == node_id}, f"node {hostnames[node_id]}"
                else:
                    await press_on_row(pilot, services, "l", service.id)
                    wanted, title = set(tasks), unique_name
                assert title in pane.border_title, f"step {i}: {pane.border_title!r}"
                assert app.focused is pane.view  # the logs pane has the focus after the key
                await until(pilot, lambda: complete(pane.view.lines, unique_name, wanted, furthest),
                            what=f"step {i} ({how}): every line of {len(wanted)} task(s) once, in order")
                lines = list(pane.view.lines)
                if how == "node":
                    assert {line.node for line in lines} == {hostnames[node_id]}, "a node's logs hold that node's only"
                for t, n in numbers_by_task(lines, unique_name).items():
                    furthest[t] = max(furthest.get(t, 0), len(n))

            # ctrl+s: every buffered line (far more than the pane shows), the scope in the file name
            await press_on_row(pilot, table, "enter", order[1])
            await until(pilot, lambda: complete(pane.view.lines, unique_name, {order[1]}, furthest), what="the replica")
            # the replica writes a line every 0.3 s: on a fast run it may not yet have written 3 screens
            await until(pilot, lambda: len(pane.view.lines) > pane.view.scrollable_content_region.height * 3,
                        what="three screens of the replica's lines buffered")
            buffered = len(pane.view.lines)
            await pilot.press("ctrl+s")
            await until(pilot, lambda: app.screen.id == "save-dialog", what="the save dialog")
            await pilot.press("enter")
            await until(pilot, lambda: list(tmp_path.glob("swarmtui-*.log")), what="the saved file")
            saved = next(tmp_path.glob("swarmtui-*.log"))
            assert saved.name.startswith(f"swarmtui-task-{unique_name}.{tasks[order[1]]['Slot']}-")
            text = saved.read_text().splitlines()
            assert len(text) >= buffered
            assert text == [f"{line.timestamp} {replica_label(line)} {strip_ansi(line.text)}"
                            for line in pane.view.lines[:len(text)]]
            assert [int(row.split()[-1]) for row in text] == list(range(len(text)))
    finally:
        service.remove()
