"""Fleet scale without timing: what a refresh of a 500-row tasks pane costs, counted in DataTable calls.

Speed itself is measured in bench/fleet_scale.py; these tests pin the shape that keeps it fast:
a refresh a second later rewrites no cell just because ages moved, and a large scale-down or
filter does not remove rows one by one (each remove_row is O(rows) and a layout pass).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from textual.app import App, ComposeResult

from swarmtui.cluster.models import Task
from swarmtui.ui.format import age
from swarmtui.ui.widgets.tasks import TasksTable
from tests.ui.waiting import until

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


def fleet(n: int, started: datetime = T0) -> tuple[Task, ...]:
    return tuple(
        Task(id=f"task{i:04d}", service_id="svc", service_name="spider", slot=i, node_id=f"node{i % 3}",
             node_hostname=f"lab-worker-{i % 3}", desired_state="running", state="running",
             state_since=started + timedelta(seconds=i % 50), image="10.0.0.1:8003/spider:0.01")
        for i in range(1, n + 1)
    )


class Host(App):
    def compose(self) -> ComposeResult:
        yield TasksTable()


def count(table, name: str) -> list:
    calls = []
    original = getattr(table, name)

    def counted(*a, **k):
        calls.append(a)
        return original(*a, **k)

    setattr(table, name, counted)
    return calls


def shown_age(table, key: str) -> str:
    return str(table.get_cell(key, "age"))


async def test_a_refresh_of_500_young_tasks_a_second_later_writes_at_most_one_cell():
    app = Host()
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.query_one(TasksTable)
        tasks = fleet(500)
        table.show(tasks, T0 + timedelta(seconds=55))
        await pilot.pause()
        assert table.row_count == 500
        writes = count(table, "update_cell")
        for second in range(56, 66):  # ten refreshes, every age string changes each time
            table.show(tasks, T0 + timedelta(seconds=second))
        assert len(writes) <= 10, "one cache-invalidating write per refresh, not one per age"
        now = T0 + timedelta(seconds=65)
        assert shown_age(table, "task0001") == age(tasks[0].state_since, now) == "1m"
        assert shown_age(table, "task0049") == age(tasks[48].state_since, now) == "16s"
        await pilot.pause()


async def test_a_changed_task_rewrites_only_its_own_cells():
    app = Host()
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.query_one(TasksTable)
        tasks = fleet(500)
        now = T0 + timedelta(seconds=30)
        table.show(tasks, now)
        await pilot.pause()
        writes = count(table, "update_cell")
        failed = list(tasks)
        failed[7] = Task(**{**tasks[7].__dict__, "state": "failed", "error": "exit 1", "state_since": now})
        table.show(tuple(failed), now)
        assert sorted(w[1] for w in writes) == ["age", "error", "state"]
        assert {w[0] for w in writes} == {"task0008"}


async def test_scaling_500_to_50_and_filtering_do_not_remove_rows_one_by_one():
    app = Host()
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.query_one(TasksTable)
        tasks = fleet(500)
        table.show(tasks, T0)
        await pilot.pause()
        table.move_cursor(row=table.get_row_index("task0020"))
        removals = count(table, "remove_row")
        table.set_filter("lab-worker-1")
        assert table.row_count == 167 and table.total_rows == 500
        table.set_filter("")
        assert table.row_count == 500
        table.move_cursor(row=table.get_row_index("task0020"))
        table.show(tasks[:50], T0)
        assert table.row_count == 50
        assert removals == [], "rows were removed one by one"
        assert table.highlighted_key == "task0020", "the cursor stays on its task"
        names = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        assert names == [f"spider.{i}" for i in range(1, 51)], "still sorted by slot"
        await pilot.pause()


async def test_patch_shows_one_cell_ahead_of_the_next_sync():
    app = Host()
    async with app.run_test(size=(160, 48)) as pilot:
        table = app.query_one(TasksTable)
        tasks = fleet(3)
        table.show(tasks, T0)
        await pilot.pause()
        table.patch("task0002", "state", "Failed")
        table.patch("gone", "state", "Failed")  # unknown rows are ignored
        assert str(table.get_cell("task0002", "state")) == "Failed"
        table.set_filter("failed")
        assert table.row_count == 1
        table.set_filter("")
        table.show(tasks, T0)  # the snapshot's truth wins again
        assert str(table.get_cell("task0002", "state")) == "Running"


class Boxed(App):
    """A table whose height follows its rows up to a limit, as the nodes and services panes do."""

    CSS = "TasksTable { height: auto; max-height: 12; } #below { height: 1fr; }"

    def compose(self) -> ComposeResult:
        from textual.widgets import Static

        yield TasksTable()
        yield Static("below", id="below")


async def test_a_filter_that_keeps_the_table_taller_than_its_box_makes_no_layout_pass():
    """Counted: each filter key was a layout pass of the whole screen (every widget repainted, ~45 ms
    at 500 nodes); only a key that lets the table's box shrink or grow needs one."""
    app = Boxed()
    async with app.run_test(size=(160, 48)) as pilot:
        table, below = app.query_one(TasksTable), app.query_one("#below")
        table.show(fleet(500), T0)
        await until(pilot, lambda: table.size.height == 12, what="the table's box full")
        layouts, original = [], app.screen._refresh_layout
        app.screen._refresh_layout = lambda *a, **k: (layouts.append(1), original(*a, **k))[1]
        painted = []  # row counts the table was painted with (a layout asked for runs before its frame)
        render = table.render_lines
        table.render_lines = lambda crop: (painted.append(table.row_count), render(crop))[1]
        for text in ("lab-worker-1", "lab-worker-", "spider.1"):
            table.set_filter(text)
            rows = table.row_count
            await until(pilot, lambda r=rows: r in painted, what=f"the frame with {rows} rows")
        assert layouts == [], f"{len(layouts)} layout passes for filters that keep the box full"
        assert table.row_count == 111 and table.vertical_scrollbar.window_virtual_size == 112, "the scrollbar follows the rows"
        table.set_filter("spider.49")  # spider.49 and .490-.499: 11 rows and the header, just what the box holds
        await until(pilot, lambda: 11 in painted and bool(layouts), what="the layout pass for a box no longer over-full")
        assert table.row_count == 11 and table.size.height == 12
        table.set_filter("spider.499")  # the box shrinks, what is below it grows
        await until(pilot, lambda: table.size.height < 12, what="the box to shrink")
        assert table.row_count == 1 and below.size.height > 48 - 12
