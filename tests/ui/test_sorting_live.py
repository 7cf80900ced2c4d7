"""Sorting every table on the real lab: each column with `>`, reversed with `!`, by value (10 after
9, 2 replicas before 10), the header marked, the cursor on the same row, and each table's order
back after a restart (config.toml's [sort])."""

from __future__ import annotations

import re

import docker
import pytest

from swarmtui.config import load_settings
from swarmtui.ui.app import SwarmApp
from swarmtui.ui.screens.stacks import ObjectsScreen, StacksScreen
from swarmtui.ui.widgets.table import LiveTable, plain
from tests.ui.live import command
from tests.ui.waiting import until

pytestmark = [pytest.mark.lab, pytest.mark.redis]

STACK_LABEL = "com.docker.stack.namespace"
NO_VALUE = {"", "—", "…", "?"}  # what a cell without a value shows (last in both directions)


def texts(table: LiveTable, index: int, mine) -> list[str]:
    return [plain(table.get_row_at(i)[index]) for i in range(table.row_count) if mine(table.get_row_at(i))]


def marks(table: LiveTable) -> list[str]:
    return [str(c.label) for c in table.ordered_columns if str(c.label)[-1] in "▲▼"]


def values_shown(table: LiveTable, column: str, mine) -> list:
    """The sort values of the rows as they stand on screen now (rows without one left out)."""
    keys = [row.key.value for row in table.ordered_rows if mine(table.get_row(row.key))]
    return [v for v in (table.sort_value(k, column) for k in keys) if v is not None]


async def every_column(pilot, table: LiveTable, mine, drawn_anew=(), measured=()) -> dict[str, list[str]]:
    """`>` through every column and `!` on each; returns the ascending texts per column key.
    `mine`: the rows this test made (a shared lab may hold others); `drawn_anew`: columns whose
    text changes from one poll to the next (a sparkline): their rows, not texts, are compared;
    `measured`: columns whose values move between two reads (CPU, memory, an age): each read must be in
    order by the values it shows, not the reverse of the other."""
    table.focus()
    await pilot.pause()
    if table.highlighted_key is None:
        table.move_cursor(row=0)
    cursor = table.highlighted_key
    ascending = {}
    for index, (key, label) in enumerate(table.COLUMNS):
        await pilot.press("greater_than_sign")
        assert marks(table) == [f"{label} ▲"], f"{label}: only the sort column is marked"
        assert table.highlighted_key == cursor, f"{label}: the cursor stays on its row"
        shown = 0 if key in drawn_anew else index
        up = texts(table, shown, mine)
        await pilot.press("exclamation_mark")
        assert marks(table) == [f"{label} ▼"]
        assert table.highlighted_key == cursor, f"{label} reversed: the cursor stays on its row"
        down = texts(table, shown, mine)
        if key in measured:
            assert values_shown(table, key, mine) == sorted(values_shown(table, key, mine), reverse=True), f"{label}: reversed"
            await pilot.press("exclamation_mark")
            assert values_shown(table, key, mine) == sorted(values_shown(table, key, mine)), f"{label}: ascending"
            await pilot.press("exclamation_mark")
            ascending[key] = up
            continue
        filled = [t for t in up if t.strip() not in NO_VALUE]
        assert [t for t in down if t.strip() not in NO_VALUE] == filled[::-1], f"{label}: reversed is the other way round"
        ascending[key] = up
    await pilot.press("greater_than_sign")  # past the last column: the table's own order
    assert marks(table) == []
    return ascending


def since_seconds(text: str) -> float:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    match = re.fullmatch(r"(\d+)([smhd])", text.strip())
    return int(match.group(1)) * units[match.group(2)] if match else float("inf")


@pytest.fixture
def fleet(lab, docker_client, unique_name, redis_server):
    """Two services in two stacks (2 and 10 replicas: '10/10' sorts before '2/2' as text), two
    secrets named …9 and …10, two queue keys 9 and 10 deep."""
    import redis

    made = []
    try:
        for suffix, replicas in (("x9", 2), ("x10", 10)):
            made.append(docker_client.services.create(
                f"{lab.registry}/spider:0.01", name=f"{unique_name}{suffix}", networks=["host"],
                command=["python3", "-c", "import time; time.sleep(10**6)"], labels={STACK_LABEL: f"{unique_name}s{suffix}"},
                mode=docker.types.ServiceMode("replicated", replicas=replicas), stop_grace_period=1_000_000_000))
        for suffix in ("9", "10"):
            made.append(docker_client.secrets.create(name=f"{unique_name}-pw{suffix}", data=b"not shown"))
        queue = redis.Redis.from_url(redis_server.url)
        for suffix, depth in (("a", 9), ("b", 10)):
            queue.delete(f"{unique_name}:{suffix}")
            queue.rpush(f"{unique_name}:{suffix}", *(f"https://example.test/{i}" for i in range(depth)))
        yield unique_name
    finally:
        for thing in made:
            try:
                thing.remove()
            except docker.errors.NotFound:
                pass


async def test_every_table_sorts_by_every_column_and_remembers_it(lab, fleet, redis_server, tmp_path):
    name = fleet
    config = tmp_path / "config.toml"
    config.write_text(f'# the sort test\nredis_url = "{redis_server.url}"\nqueue_keys = ["{name}:*"]\n')

    def app() -> SwarmApp:
        return SwarmApp(load_settings({"docker_host": lab.docker_host}, env={}, path=config))

    first = app()
    async with first.run_test(size=(200, 60)) as pilot:
        services = first.query_one("#services")
        await until(pilot, lambda: sum(plain(r[1]).startswith(("2/2", "10/10")) for r in (
            services.get_row_at(i) for i in range(services.row_count)) if plain(r[0]).startswith(name)) == 2,
            timeout=180, what="both services converged")
        mine = lambda row: plain(row[0]).startswith(name)  # noqa: E731
        up = await every_column(pilot, services, mine)
        assert up["name"] == [f"{name}x9", f"{name}x10"], "names by their numbers, not as text"
        assert [t.split()[0] for t in up["replicas"]] == ["2/2", "10/10"], "replicas by number"

        nodes = first.query_one("#nodes")
        up = await every_column(pilot, nodes, lambda row: True)
        assert up["hostname"] == sorted(up["hostname"])
        assert up["role"][0] == "manager"
        assert [int(t) for t in up["tasks"]] == sorted(int(t) for t in up["tasks"]), "task counts by number"

        services.move_cursor(row=next(i for i in range(services.row_count) if plain(services.get_row_at(i)[0]) == f"{name}x10"))
        tasks = first.query_one("#tasks-table")
        await until(pilot, lambda: tasks.row_count == 10, timeout=60, what="the 10 tasks of x10")
        up = await every_column(pilot, tasks, lambda row: True, measured={"cpu", "memory", "age"})  # SINCE ticks on
        assert up["name"] == [f"{name}x10.{n}" for n in range(1, 11)], "slot 10 after slot 9"
        seconds = [since_seconds(t) for t in up["age"]]
        assert seconds == sorted(seconds), "SINCE by time, youngest first"

        queue = first.query_one("#queue-table")
        await until(pilot, lambda: queue.row_count >= 2, timeout=30, what="the two queue keys")
        up = await every_column(pilot, queue, lambda row: plain(row[0]).startswith(name), drawn_anew={"spark"})
        assert up["depth"] == ["9", "10"], "depth by number"

        await command(pilot, "stacks")
        await until(pilot, lambda: isinstance(first.screen, StacksScreen) and first.screen.items, timeout=30, what="the stacks view")
        view = first.screen.query_one(LiveTable)
        up = await every_column(pilot, view, lambda row: plain(row[0]).startswith(name))
        assert up["replicas"] == ["2/2", "10/10"]

        await command(pilot, "secrets")
        await until(pilot, lambda: isinstance(first.screen, ObjectsScreen) and first.screen.items, timeout=30, what="the secrets view")
        view = first.screen.query_one(LiveTable)
        up = await every_column(pilot, view, lambda row: plain(row[0]).startswith(name))
        assert up["name"] == [f"{name}-pw9", f"{name}-pw10"]

        # leave an order on each table for the restart: REPLICAS reversed, TASKS, STATE, DEPTH, NAME reversed
        await pilot.press("greater_than_sign", "exclamation_mark")
        await pilot.press("escape")  # back to the main screen
        await until(pilot, lambda: len(first.screen_stack) == 1, timeout=10, what="the view closed")
        for table, steps in ((services, 2), (nodes, 6), (tasks, 3), (queue, 3)):
            table.focus()
            await pilot.press(*["greater_than_sign"] * steps)
            if table is services:
                await pilot.press("exclamation_mark")
        await pilot.pause()
    text = config.read_text()
    assert text.startswith("# the sort test\n")
    assert ('[sort]\nsecrets = "name desc"\nservices = "replicas desc"\nnodes = "tasks"\ntasks = "state"\nqueue = "depth"\n'
            in text), text

    again = app()
    async with again.run_test(size=(200, 60)) as pilot:
        await pilot.pause()
        for selector, column, reverse in (("#services", "replicas", True), ("#nodes", "tasks", False),
                                          ("#tasks-table", "state", False), ("#queue-table", "depth", False)):
            table = again.query_one(selector)
            assert (table.sort_column, table.sort_reverse) == (column, reverse), selector
        services = again.query_one("#services")
        await until(pilot, lambda: sum(mine(services.get_row_at(i)) for i in range(services.row_count)) == 2, what="the services")
        assert texts(services, 0, mine) == [f"{name}x10", f"{name}x9"], "REPLICAS reversed after the restart"
        assert marks(services) == ["REPLICAS ▼"]
        await command(pilot, "secrets")
        await until(pilot, lambda: isinstance(again.screen, ObjectsScreen) and again.screen.items, timeout=30, what="the secrets view")
        view = again.screen.query_one(LiveTable)
        assert texts(view, 0, lambda row: plain(row[0]).startswith(name)) == [f"{name}-pw10", f"{name}-pw9"]
