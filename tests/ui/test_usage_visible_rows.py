"""Only the tasks on screen are asked for CPU/memory: the rows scrolled to, not the whole table,
and none while another pane is zoomed (recorded tasks and swarm, no engine)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from swarmtui.cluster.models import Task
from swarmtui.cluster.stats import Unavailable, Usage
from swarmtui.ui.widgets.tasks import TasksPane


def tasks(count: int) -> tuple[Task, ...]:
    return tuple(Task(f"t{i:03d}", "s1", "web", i + 1, "n1", "lab-worker-1", "running", "running", None,
                      container_id=f"{i:064d}") for i in range(count))


class One(App):
    def compose(self) -> ComposeResult:
        yield TasksPane(id="tasks")


async def test_visible_keys_are_the_rows_scrolled_to_and_usage_fills_only_their_cells():
    app = One()
    async with app.run_test(size=(120, 20)) as pilot:
        pane = app.query_one(TasksPane)
        pane.show(tasks(60))
        await pilot.pause()
        table = pane.table
        first = table.visible_keys()
        assert 5 < len(first) < 20 and first[0] == "t000", first
        table.scroll_end(animate=False)
        await pilot.pause()
        last = table.visible_keys()
        assert last[-1] == "t059" and len(last) == len(first) and not set(first) & set(last)
        pane.show_usage({last[0]: Usage(72.66, 520192, 64 * 1024 * 1024), last[1]: Unavailable("lab-worker-1: no answer")})
        await pilot.pause()
        row = dict(zip([c.value for c in table.columns], table.get_row(last[0])))
        assert (row["cpu"], row["memory"]) == ("72.7%", "508K / 64M")
        assert table.get_row(last[1])[7:9] == ["—", "—"]
        assert table.get_row("t000")[7:9] == ["", ""]
        assert str(pane.border_subtitle) == "— no CPU/memory from lab-worker-1: lab-worker-1: no answer"
        pane.show(tasks(60))  # a snapshot after the poll keeps the figures
        assert table.get_row(last[0])[7] == "72.7%"


async def test_the_app_asks_for_the_running_tasks_on_screen_and_none_while_another_pane_is_zoomed():
    from tests.ui.recorded import main_screen, make_app
    from tests.ui.waiting import until

    app = make_app()
    async with app.run_test(size=(160, 48)) as pilot:
        pane = app.main(TasksPane)
        await main_screen(pilot)  # caphost selected, its recorded tasks shown
        on_screen = app._tasks_on_screen()
        assert on_screen and {t.id for t in on_screen} <= set(pane.table.visible_keys())
        assert all(t.state == "running" for t in on_screen)
        await pilot.press("4", "z")  # the logs pane zoomed: the tasks pane is not on screen
        await until(pilot, lambda: app.screen.maximized is not None, 10, what="the logs pane zoomed")
        assert app._tasks_on_screen() == []
        await pilot.press("z")
        await until(pilot, lambda: app.screen.maximized is None, 10, what="the zoom undone")
        assert app._tasks_on_screen() == on_screen
