"""A CPU/memory poll or a snapshot that lands while the tasks pane is not composed (the app starting,
or tearing its widgets down at exit) is dropped: it once crashed the app on exit (NoMatches
'#task-detail', a whole-suite run)."""

from __future__ import annotations

from textual.app import App, ComposeResult

from swarmtui.ui.widgets.tasks import TasksPane


class OnePane(App):
    def compose(self) -> ComposeResult:
        yield TasksPane(id="tasks")


async def test_late_messages_on_a_pane_without_its_table_are_dropped():
    never_mounted = TasksPane()
    never_mounted.show(())
    never_mounted.show_usage({})
    app = OnePane()
    async with app.run_test() as pilot:
        pane = app.query_one(TasksPane)
        await pane.remove_children()  # as at exit, children go before their parent
        pane.show(())
        pane.show_usage({})
        pane.show_detail()
        await pilot.pause()
        assert app.is_running and not pane.children
